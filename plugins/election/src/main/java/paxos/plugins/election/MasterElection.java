package paxos.plugins.election;

import org.osgi.annotation.versioning.ProviderType;
import paxos.api.MasterInfo;

/**
 * The elected master of each group, as this node sees it. Registered as an OSGi service by the
 * election bundle; {@link MasterElector} implements it for embedded use. All methods are cheap,
 * never block, and may be called from any thread.
 */
@ProviderType
public interface MasterElection {
    /** The master in force at this node's executed position ({@link MasterInfo#NONE} if none). */
    MasterInfo master(int group);

    /**
     * The version to pass to {@link paxos.api.Proposal#conditionalOnMaster}: the instance ID of the
     * election entry that made the current master master ({@code -1} if none). Renewals keep it.
     */
    long version(int group);

    /**
     * True iff this node is the master of {@code group} and its lease, counted from before it
     * proposed its latest successful claim or renewal, minus the drift margin, is still running.
     * Never true after a restart until this node won a claim again.
     */
    boolean isMaster(int group);

    /**
     * Gives up mastership of {@code group}: stops renewing and makes no claim for the configured
     * hold-off, so another node takes over once the lease lapsed. No effect if not master.
     */
    void dropMaster(int group);
}
