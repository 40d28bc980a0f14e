package paxos.api.statemachine;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An optional ability of a {@link StateMachine} (implement both on the same object): turns the
 * in-process result object it handed to {@link ExecutionResults#complete} into bytes and a content
 * type, so generic clients (the node's command endpoint
 * {@code POST /paxos/groups/{group}/statemachines/{id}}, the Gogo command {@code paxos:command})
 * can return it. Without it they answer {@code String.valueOf(result)} as UTF-8 text.
 *
 * <p><b>When, on which thread.</b> Called once per command sent through such a client, after the
 * command was chosen and executed on this node, on the thread that answers the client (an HTTP
 * server thread or the shell's thread), never on the group's execution thread. It may therefore
 * run concurrently with {@link StateMachine#execute} and with other {@code encode} calls: read only
 * the result object (which should be immutable), not the live state. It must not block (no I/O, no
 * locks held by {@code execute}).
 *
 * <p><b>Failures.</b> A {@link RuntimeException} is reported to the client as an internal error
 * (HTTP {@code 500}) naming the exception; the command was nevertheless chosen and executed.
 */
@ConsumerType
public interface ResultEncoder {

    /**
     * @param result the object handed to {@link ExecutionResults#complete} for this command, or
     *     {@code null} if none was handed
     * @return the bytes and content type to answer with; never {@code null}
     */
    EncodedResult encode(Object result);
}
