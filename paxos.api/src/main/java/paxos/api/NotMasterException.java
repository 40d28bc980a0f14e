package paxos.api;

/**
 * A lease read was asked of a node that is not the master, whose lease expired, or that has
 * not yet executed everything chosen before its term began. Use a linearizable read or ask the
 * master.
 */
public class NotMasterException extends PaxosException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators */
    public NotMasterException(String message) {
        super(message);
    }
}
