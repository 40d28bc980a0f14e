package paxos.api;

/**
 * The proposal names a state machine ID that no service registers for that group on the proposing
 * node; nothing was proposed. Refused before the value enters the log because a command that no
 * replica can execute would hold the group in {@link GroupState#WAITING} on every node.
 *
 * <p>The check is local: a state machine registered on the proposing node but missing on another
 * node is accepted, and that other node's group WAITS for it by design (the log is never skipped)
 * until the state machine is deployed there. REST surfaces map this exception to {@code 404}.
 */
public class UnknownStateMachineException extends PaxosException {
    private static final long serialVersionUID = 1L;
    private final int group;
    private final int stateMachineId;

    /**
     * @param group the group the proposal named
     * @param stateMachineId the unregistered state machine ID ({@code 1..65535})
     */
    public UnknownStateMachineException(int group, int stateMachineId) {
        super("no state machine " + stateMachineId + " is registered for group " + group
                + " on this node; the proposal was refused before entering the log");
        this.group = group;
        this.stateMachineId = stateMachineId;
    }

    /**
     * A version activation named a version of a state machine that this node does not register
     * for the group.
     *
     * @param version the version asked for
     */
    public UnknownStateMachineException(int group, int stateMachineId, String version) {
        super("no state machine " + stateMachineId + " of version " + version + " is registered for group " + group
                + " on this node; the activation was not proposed");
        this.group = group;
        this.stateMachineId = stateMachineId;
    }

    /** The group the proposal named. */
    public int group() {
        return group;
    }

    /** The state machine ID no service registers for that group here. */
    public int stateMachineId() {
        return stateMachineId;
    }
}
