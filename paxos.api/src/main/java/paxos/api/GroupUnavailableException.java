package paxos.api;

/**
 * The group cannot serve right now: it is starting, stopped, failed (corrupt log, state machine
 * error, inconsistent start) or catching up through a checkpoint ({@link PaxosNode#status} says
 * which), or this node cannot reach a quorum of it (no leader and no majority of voters heard
 * within an election timeout; writes and LINEARIZABLE reads are refused at once, STALE reads
 * still answer). Nothing was proposed: retrying, here later or on another node, is safe.
 */
public class GroupUnavailableException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public GroupUnavailableException(String message) {
        super(message);
    }
}
