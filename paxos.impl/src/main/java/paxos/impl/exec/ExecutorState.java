package paxos.impl.exec;

import paxos.api.MasterInfo;

/**
 * Where a group's execution resumes after a restart.
 *
 * @param nextInstance the first instance to execute (one past the lowest checkpoint of the group's
 *     state machines; {@code 0} replays the whole log)
 * @param masterInForce the master in force just before {@code nextInstance}. It is a pure function
 *     of the log: replaying from {@code 0} rebuilds it; a runtime that resumes later must have
 *     persisted it with the checkpoint position (e.g. the claim history as group metadata).
 */
public record ExecutorState(long nextInstance, MasterInfo masterInForce) {
    /** A fresh group: nothing executed, no master. */
    public static final ExecutorState INITIAL = new ExecutorState(0, MasterInfo.NONE);
}
