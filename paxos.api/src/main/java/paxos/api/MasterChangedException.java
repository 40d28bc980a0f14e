package paxos.api;

/**
 * A master-conditional write reached its log position when another master version was in force.
 * No state machine executed it, on any replica, and no replay ever will: the decision is a pure
 * function of the log.
 */
public class MasterChangedException extends PaxosException {
    private static final long serialVersionUID = 1L;
    private final long proposedVersion;
    private final long versionInForce;

    /**
     * @param proposedVersion the master version the write was proposed under
     * @param versionInForce the master version in force at the write's log position
     */
    public MasterChangedException(long proposedVersion, long versionInForce) {
        super("master changed: write proposed under master version " + proposedVersion
                + " reached the log when version " + versionInForce + " was in force; it was not applied");
        this.proposedVersion = proposedVersion;
        this.versionInForce = versionInForce;
    }

    /** The master version the write was proposed under. */
    public long proposedVersion() {
        return proposedVersion;
    }

    /** The master version in force at the write's log position. */
    public long versionInForce() {
        return versionInForce;
    }
}
