package paxos.api;

/**
 * A competing proposer's value was chosen for the instance this proposal was trying to use,
 * and the engine did not carry the proposal over to a later instance (for example because the
 * group's leadership moved to another node). The value was not chosen; retrying is safe.
 */
public class ConflictException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public ConflictException(String message) {
        super(message);
    }
}
