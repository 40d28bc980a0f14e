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
 * @param instancesExecuted instances (batches) executed on this node since it started, on every
 *        node alike (leader or not; system commands included)
 * @param commandsExecuted commands those instances carried (their ratio is the mean batch size)
 * @param stateMachines the group's state machines known to this node: deployed here, or blocking
 *        execution ({@link StateMachineInfo.State#WAITING}); an undeployed one nothing waits for is absent
 * @param peerChosen per peer node ID, the highest chosen instance it reported in a message that
 *        carries it (heartbeats, accepts and commits from a leader, promises); peers do not report
 *        their executed position
 * @param peerReportAgeMillis per peer node ID in {@code peerChosen}, milliseconds since that report:
 *        a follower reports only when it answers a prepare, so on a leader the reports of healthy
 *        followers grow old, and {@code chosenInstance - peerChosen} is a lag only for a fresh report
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
        long instancesExecuted,
        long commandsExecuted,
        List<StateMachineInfo> stateMachines,
        Map<Integer, Long> peerChosen,
        Map<Integer, Long> peerReportAgeMillis) {

    /** Defensive copies. */
    public GroupStatus {
        waitingFor = List.copyOf(waitingFor);
        stateMachines = List.copyOf(stateMachines);
        peerChosen = Map.copyOf(peerChosen);
        peerReportAgeMillis = Map.copyOf(peerReportAgeMillis);
    }

    /** Without report ages (every report of unknown age, none listed). */
    public GroupStatus(int group, GroupState state, long chosenInstance, long executedInstance, long minRetainedInstance,
                       int inFlightInstances, int queuedProposals, MasterInfo master, List<Integer> waitingFor, String failure,
                       int leaderNodeId, long instancesExecuted, long commandsExecuted, List<StateMachineInfo> stateMachines,
                       Map<Integer, Long> peerChosen) {
        this(group, state, chosenInstance, executedInstance, minRetainedInstance, inFlightInstances, queuedProposals, master,
                waitingFor, failure, leaderNodeId, instancesExecuted, commandsExecuted, stateMachines, peerChosen, Map.of());
    }
}
