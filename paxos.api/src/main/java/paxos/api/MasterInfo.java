package paxos.api;

/**
 * The master of a group as decided by the log.
 *
 * @param nodeId the master's node ID, or {@code 0} if there is none
 * @param version the instance ID of the system command that made it master, or {@code -1}
 * @param leaseMillis the lease the master asked for when it claimed; each node measures it on its
 *     own monotonic clock (the master from before it proposed, others from when they executed it)
 */
public record MasterInfo(int nodeId, long version, long leaseMillis) {
    /** No master was ever elected in this group. */
    public static final MasterInfo NONE = new MasterInfo(0, -1, 0);

    /** True if some node holds (or held) mastership at this position. */
    public boolean exists() {
        return nodeId != 0;
    }
}
