package paxos.api;

/**
 * This node is not a voting member of the group, or the group ID names no group on this node.
 * Nothing was proposed.
 */
public class NotMemberException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public NotMemberException(String message) {
        super(message);
    }
}
