package paxos.api;

import java.util.List;

/**
 * A point-in-time view of one group on one node; all instance numbers are {@code -1} when
 * nothing applies yet. Values are read without stopping the group, so fields may be from
 * slightly different moments; each one alone is exact.
 *
 * @param group the group ID
 * @param state the lifecycle state
 * @param chosenInstance highest instance such that every instance up to it is known chosen here
 * @param executedInstance highest instance whose whole batch every present state machine executed
 * @param minRetainedInstance lowest instance still in the local log (older ones were deleted)
 * @param inFlightInstances instances proposed by this node and not yet chosen (pipeline depth)
 * @param queuedProposals proposals waiting for a batch on this node
 * @param master the master in force at {@code executedInstance}
 * @param waitingFor state machine IDs whose absence blocks execution (empty unless {@link GroupState#WAITING})
 * @param failure why the group is {@link GroupState#FAILED}, else {@code null}
 */
public record GroupStatus(
        int group,
        GroupState state,
        long chosenInstance,
        long executedInstance,
        long minRetainedInstance,
        int inFlightInstances,
        int queuedProposals,
        MasterInfo master,
        List<Integer> waitingFor,
        String failure) {

    /** Defensive copy of the list. */
    public GroupStatus {
        waitingFor = List.copyOf(waitingFor);
    }
}
