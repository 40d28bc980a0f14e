package paxos.api;

/**
 * The group cannot serve right now: it is starting, stopped, failed (corrupt log, state machine
 * error, inconsistent start) or catching up through a checkpoint. {@link PaxosNode#status} says
 * which. Nothing was proposed.
 */
public class GroupUnavailableException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public GroupUnavailableException(String message) {
        super(message);
    }
}
