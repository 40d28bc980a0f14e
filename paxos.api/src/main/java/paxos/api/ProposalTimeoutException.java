package paxos.api;

/**
 * The proposal was not seen chosen and executed on this node within its timeout.
 *
 * <p><b>This does NOT mean the value was not chosen.</b> It may have been chosen and executed
 * after the deadline, or be chosen later by another proposer that finds it accepted by a
 * quorum. A caller that must know retries with an idempotent command, or reads the state.
 */
public class ProposalTimeoutException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public ProposalTimeoutException(String message) {
        super(message);
    }
}
