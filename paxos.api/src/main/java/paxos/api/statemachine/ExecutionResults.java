package paxos.api.statemachine;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Hands results back to the callers that proposed the commands of a batch. Provided by the
 * engine for the duration of one {@link StateMachine#execute} call, on the execution thread;
 * it must not be kept or used after the call returns.
 *
 * <p>Every replica runs the same apply path on the same bytes; only on the proposing node is
 * there a caller to receive the result. Elsewhere the results are dropped.
 */
@ProviderType
public interface ExecutionResults {

    /**
     * Sets the result of the command at {@code index} of this batch; it becomes
     * {@link paxos.api.Proposed#result()}. Calling it twice for one index keeps the first.
     *
     * @throws IllegalArgumentException if no command of this batch has that index
     */
    void complete(int index, Object result);

    /** True if some caller on this node waits for the command at {@code index}. */
    boolean isAwaited(int index);
}
