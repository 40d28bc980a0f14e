package paxos.api;

/**
 * The group's proposal queue is full (its configured bound is reached). Nothing was proposed;
 * retry later with back-off.
 */
public class OverloadedException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public OverloadedException(String message) {
        super(message);
    }
}
