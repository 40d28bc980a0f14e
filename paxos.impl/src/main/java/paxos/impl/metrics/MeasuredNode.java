package paxos.impl.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;

/**
 * The {@link PaxosNode} that plugins and the HTTP endpoints use: the engine, with each proposal
 * timed from the call to its completion ({@link NodeMetrics#proposed}). A decorator, so that the
 * engine's code stays free of metrics; the stages returned are the engine's own (a dependent
 * action records the time, on the completing thread; it never throws).
 */
public final class MeasuredNode implements PaxosNode {
    private final PaxosNode engine;
    private final NodeMetrics metrics;

    public MeasuredNode(PaxosNode engine, NodeMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<Proposed> propose(Proposal proposal) {
        long start = System.nanoTime();
        CompletionStage<Proposed> stage = engine.propose(proposal);
        timed(stage, proposal.group(), start);
        return stage;
    }

    @Override
    public List<CompletionStage<Proposed>> proposeAll(List<Proposal> proposals) {
        long start = System.nanoTime();
        List<CompletionStage<Proposed>> stages = engine.proposeAll(proposals);
        for (int i = 0; i < stages.size(); i++) timed(stages.get(i), proposals.get(i).group(), start);
        return stages;
    }

    private void timed(CompletionStage<Proposed> stage, int group, long start) {
        stage.whenComplete((ok, error) -> metrics.proposed(group, System.nanoTime() - start, error == null));
    }

    @Override
    public int nodeId() {
        return engine.nodeId();
    }

    @Override
    public int groupCount() {
        return engine.groupCount();
    }

    @Override
    public int maxValueBytes() {
        return engine.maxValueBytes();
    }

    @Override
    public CompletionStage<Long> readBarrier(int group, ReadConsistency consistency) {
        return engine.readBarrier(group, consistency);
    }

    @Override
    public GroupStatus status(int group) {
        return engine.status(group);
    }

    @Override
    public MasterInfo master(int group) {
        return engine.master(group);
    }

    @Override
    public CompletionStage<MasterInfo> claimMaster(int group, long expectedVersion, long leaseMillis) {
        return engine.claimMaster(group, expectedVersion, leaseMillis);
    }

    @Override
    public Map<Integer, CompletionStage<String>> activateVersion(int stateMachineId, String version) {
        return engine.activateVersion(stateMachineId, version);
    }

    @Override
    public List<PeerInfo> peers() {
        return engine.peers();
    }

    @Override
    public Membership membership(int group) {
        return engine.membership(group);
    }

    @Override
    public CompletionStage<Membership> changeMembership(int group, paxos.api.MembershipChange change) {
        return engine.changeMembership(group, change);
    }
}
