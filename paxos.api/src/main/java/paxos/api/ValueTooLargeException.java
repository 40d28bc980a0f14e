package paxos.api;

/**
 * The value (or the total of a {@link PaxosNode#proposeAll} batch) exceeds the node's
 * configured limit ({@link PaxosNode#maxValueBytes()}). Nothing was proposed.
 */
public class ValueTooLargeException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public ValueTooLargeException(String message) {
        super(message);
    }
}
