package paxos.impl.exec;

import java.util.Map;
import paxos.api.MasterInfo;

/**
 * Where a group's execution resumes after a restart.
 *
 * @param nextInstance the first instance to execute (one past the lowest checkpoint of the group's
 *     state machines; {@code 0} replays the whole log)
 * @param masterInForce the master in force just before {@code nextInstance}. It is a pure function
 *     of the log: replaying from {@code 0} rebuilds it; a runtime that resumes later must have
 *     persisted it with the checkpoint position (e.g. the claim history as group metadata).
 * @param leaseEntryInForce the instance of the latest successful master claim or renewal before
 *     {@code nextInstance} ({@code >= masterInForce.version()}; {@code -1} if none); persisted
 *     like the master, since takeover claims are decided against it
 * @param versionsInForce per state machine ID, the version in force just before {@code nextInstance}
 *     (absent: none activated yet); a pure function of the log, persisted like the master
 * @param executedRequests the {@link RequestDedup} table just before {@code nextInstance} (proposer
 *     node to request ID to the instance of its first execution); a pure function of the log,
 *     persisted like the master ({@code Map.of()} when resuming at {@code 0})
 */
public record ExecutorState(long nextInstance, MasterInfo masterInForce, long leaseEntryInForce,
                            Map<Integer, String> versionsInForce, Map<Integer, ? extends Map<Long, Long>> executedRequests) {
    /** A fresh group: nothing executed, no master. */
    public static final ExecutorState INITIAL = new ExecutorState(0, MasterInfo.NONE, -1);

    public ExecutorState {
        if (leaseEntryInForce < masterInForce.version())
            throw new IllegalArgumentException("leaseEntryInForce " + leaseEntryInForce + " precedes master version "
                    + masterInForce.version());
        versionsInForce = Map.copyOf(versionsInForce);
        executedRequests = new RequestDedup(executedRequests).entries();
    }

    /** A state without executed requests known (e.g. resuming at 0). */
    public ExecutorState(long nextInstance, MasterInfo masterInForce, long leaseEntryInForce,
                         Map<Integer, String> versionsInForce) {
        this(nextInstance, masterInForce, leaseEntryInForce, versionsInForce, Map.of());
    }

    /** A state before any version activation. */
    public ExecutorState(long nextInstance, MasterInfo masterInForce, long leaseEntryInForce) {
        this(nextInstance, masterInForce, leaseEntryInForce, Map.of());
    }

    /** A state whose master was never renewed (lease entry = version). */
    public ExecutorState(long nextInstance, MasterInfo masterInForce) {
        this(nextInstance, masterInForce, masterInForce.version());
    }
}
