package paxos.plugins.config.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * A one-node stand-in for the engine, for unit tests of the request layer only: every proposal is
 * "chosen" at once as the next instance and executed on the given state machine.
 */
final class FakePaxosNode implements PaxosNode {
    private final StateMachine stateMachine;
    private long nextInstance;
    volatile PaxosException failNext;
    volatile ReadConsistency lastBarrier;
    volatile Proposal lastProposal;

    FakePaxosNode(StateMachine stateMachine) {
        this.stateMachine = stateMachine;
    }

    @Override public int nodeId() { return 1; }
    @Override public int groupCount() { return 1; }
    @Override public int maxValueBytes() { return 1 << 20; }

    @Override
    public synchronized CompletionStage<Proposed> propose(Proposal proposal) {
        lastProposal = proposal;
        if (failNext != null) {
            PaxosException e = failNext;
            failNext = null;
            return CompletableFuture.failedFuture(e);
        }
        long instance = nextInstance++;
        Object[] result = new Object[1];
        try {
            stateMachine.execute(new ExecutionBatch(proposal.group(), instance,
                    List.of(new Command(instance, 0, proposal.value(), proposal.masterVersion()))), new ExecutionResults() {
                        @Override public void complete(int index, Object r) { if (result[0] == null) result[0] = r; }
                        @Override public boolean isAwaited(int index) { return true; }
                    });
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(new Proposed(proposal.group(), instance, 0, result[0]));
    }

    @Override
    public List<CompletionStage<Proposed>> proposeAll(List<Proposal> proposals) {
        return proposals.stream().map(this::propose).toList();
    }

    @Override
    public CompletionStage<Long> readBarrier(int group, ReadConsistency consistency) {
        lastBarrier = consistency;
        if (failNext != null) {
            PaxosException e = failNext;
            failNext = null;
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(nextInstance - 1);
    }

    @Override public GroupStatus status(int group) { throw new UnsupportedOperationException(); }
    @Override public MasterInfo master(int group) { return MasterInfo.NONE; }
    @Override public CompletionStage<MasterInfo> claimMaster(int group, long expectedVersion, long leaseMillis) {
        throw new UnsupportedOperationException();
    }
    @Override public Membership membership(int group) { throw new UnsupportedOperationException(); }
    @Override public java.util.List<paxos.api.PeerInfo> peers() { return java.util.List.of(); }
}
