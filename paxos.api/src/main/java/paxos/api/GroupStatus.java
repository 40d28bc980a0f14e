package paxos.api;

import java.util.List;
import java.util.Map;

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
 * @param leaderNodeId the node this one believes leads the group's proposals ({@code 0} if unknown)
 * @param instancesProposed instances this node proposed as leader since start
 * @param commandsProposed commands those instances carried (their ratio is the mean batch size)
 * @param stateMachines the group's state machines known to this node
 * @param peerChosen per peer node ID, the highest chosen instance it reported (lag = ours - theirs)
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
        String failure,
        int leaderNodeId,
        long instancesProposed,
        long commandsProposed,
        List<StateMachineInfo> stateMachines,
        Map<Integer, Long> peerChosen) {

    /** Defensive copies. */
    public GroupStatus {
        waitingFor = List.copyOf(waitingFor);
        stateMachines = List.copyOf(stateMachines);
        peerChosen = Map.copyOf(peerChosen);
    }
}
