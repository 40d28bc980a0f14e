package paxos.plugins.election;

import org.osgi.annotation.versioning.ConsumerType;
import paxos.api.MasterInfo;

/**
 * Told when a group's master, or this node's own mastership, changes. Register as an OSGi service
 * (whiteboard) or pass to {@link MasterElector#addListener}. Called on the elector's thread, one
 * call at a time, in order; must not block (hand work to an executor). An exception is logged at
 * DEBUG and ignored.
 */
@ConsumerType
public interface MasterListener {
    /**
     * @param group the group
     * @param master the master now in force
     * @param self true iff this node now holds a valid lease for it
     */
    void masterChanged(int group, MasterInfo master, boolean self);
}
