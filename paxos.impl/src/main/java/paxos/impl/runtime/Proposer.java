package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.NotMasterException;
import paxos.api.NotMemberException;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.UnknownStateMachineException;
import paxos.api.ValueTooLargeException;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.SystemCommand;

/**
 * The request path of the engine's {@link paxos.api.PaxosNode} API: proposals (checked before
 * they reach a group runner), read barriers, master claims and version activations. It turns them into commands for
 * the group's runner and the runner's futures into the API's answers (the runner's
 * {@link PendingProposals} is the one record of them; LEASE reads wait on it) and decides with
 * the {@link LeaseTracker} whether a lease read or a claim may go ahead.
 *
 * <p><b>Threads.</b> Any caller thread; never blocks (every answer is a stage). <b>Failures.</b>
 * Invalid arguments throw {@link IllegalArgumentException} at once; everything else fails the
 * returned stage with the engine's own {@link paxos.api.PaxosException} (see {@link #map}), never
 * wrapped in a {@code CompletionException}.
 */
final class Proposer {
    private static final System.Logger LOG = System.getLogger(Proposer.class.getName());

    private final EngineConfig config;
    private final int groupCount;
    private final IntFunction<GroupRunner> runners;
    private final StateMachineRegistry registry;
    private final LeaseTracker leases;
    private final BooleanSupplier running;
    private final java.util.function.Supplier<List<paxos.api.PeerInfo>> peers;

    /**
     * @param runners the group's current runner (set once the engine started)
     * @param running true while the engine is started and not closed
     * @param peers the transport's view of the peers (liveness), for {@link QuorumWatch}
     */
    Proposer(EngineConfig config, IntFunction<GroupRunner> runners, StateMachineRegistry registry, LeaseTracker leases,
             BooleanSupplier running, java.util.function.Supplier<List<paxos.api.PeerInfo>> peers) {
        this.peers = peers;
        this.config = config;
        this.groupCount = config.groupCount();
        this.runners = runners;
        this.registry = registry;
        this.leases = leases;
        this.running = running;
    }

    /** See {@link Engine#proposeAll}: validates, proposes, tracks the proposals until they complete. */
    List<CompletionStage<Proposed>> proposeAll(List<Proposal> proposals) {
        if (proposals.isEmpty()) return List.of();
        int group = proposals.get(0).group();
        List<BatchCommand> commands = new ArrayList<>(proposals.size());
        long timeout = 0;
        long bytes = 0;
        for (Proposal p : proposals) {
            if (p.group() != group) throw new IllegalArgumentException("proposeAll needs one group; got " + group + " and " + p.group());
            commands.add(new BatchCommand(p.stateMachineId(), p.masterVersion(), config.nodeId(), 0, p.value()));
            timeout = Math.max(timeout, p.timeoutMillis());
            bytes += p.value().length;
        }
        PaxosExceptionSupplier early = null;
        if (group < 0 || group >= groupCount) early = () -> new NotMemberException("no group " + group + " on node " + config.nodeId());
        else if (!running.getAsBoolean()) early = () -> new GroupUnavailableException("node " + config.nodeId() + " is not running");
        else for (Proposal p : proposals) {
            if (p.value().length > config.maxValueBytes())
                early = () -> new ValueTooLargeException("value of " + p.value().length + " bytes exceeds maxValueBytes "
                        + config.maxValueBytes());
        }
        if (early == null) for (Proposal p : proposals) {
            // a command nobody here can execute would hold the group WAITING on every replica for ever
            if (!registry.has(group, p.stateMachineId()))
                early = () -> new UnknownStateMachineException(group, p.stateMachineId());
        }
        if (early == null) early = noQuorum(group);
        if (early == null && bytes > config.batchBytesMax()) {
            long total = bytes;
            early = () -> new ValueTooLargeException("batch of " + total + " bytes exceeds batchBytesMax " + config.batchBytesMax());
        }
        List<CompletionStage<Proposed>> out = new ArrayList<>(proposals.size());
        if (early != null) {
            for (int i = 0; i < proposals.size(); i++) out.add(CompletableFuture.failedFuture(early.get()));
            return out;
        }
        long timeoutMillis = timeout == 0 ? config.proposalTimeoutMillis() : timeout;
        for (CompletableFuture<ExecOutcome.Completed> f : runner(group).propose(commands, timeoutMillis)) {
            out.add(map(f, c -> new Proposed(group, c.instance(), c.index(), c.result())));
        }
        return out;
    }

    /** A fast refusal when this node cannot reach a quorum of {@code group} (see {@link QuorumWatch}), or null. */
    PaxosExceptionSupplier noQuorum(int group) {
        GroupRunner r = runners.apply(group);
        // the membership in force (the configured one is only the bootstrap)
        GroupUnavailableException e = QuorumWatch.refusal(group, config.nodeId(), r,
                r == null ? config.membership() : r.membershipInForce(), peers);
        return e == null ? null : () -> e;
    }

    @FunctionalInterface
    interface PaxosExceptionSupplier {
        RuntimeException get();
    }

    /** See {@link Engine#readBarrier}; {@code group} is valid. */
    CompletionStage<Long> readBarrier(int group, ReadConsistency consistency) {
        GroupRunner r = runner(group);
        switch (consistency) {
            case STALE:
                return CompletableFuture.completedFuture(r.executed());
            case LEASE:
                if (leaseRemainingNanos(group) <= 0) return CompletableFuture.failedFuture(notMaster(group));
                // A write this node proposed may be chosen, and read elsewhere, before it executed
                // here: wait for the ones proposed before this read, then check the lease again.
                return r.afterEarlierProposals(() -> leaseRead(group));
            default:
                return barrier(group);
        }
    }

    /**
     * Once it completes, everything chosen before the read began has executed here: a read-index
     * of the leader, also for a follower's read (a quorum round, no log write), or a no-op barrier
     * through Paxos when that is not possible (see {@link LinearizableReads}). Confirmed by a
     * quorum, no clock assumption.
     */
    private CompletionStage<Long> barrier(int group) {
        PaxosExceptionSupplier refused = noQuorum(group);
        if (refused != null) return CompletableFuture.failedFuture(refused.get());
        return runner(group).readBarrier(config.proposalTimeoutMillis());
    }

    private CompletableFuture<Long> leaseRead(int group) {
        long executed = runner(group).executed(); // read first: the lease check after it covers it
        if (leaseRemainingNanos(group) <= 0) return CompletableFuture.failedFuture(notMaster(group));
        return CompletableFuture.completedFuture(executed);
    }

    private NotMasterException notMaster(int group) {
        return new NotMasterException("node " + config.nodeId() + " holds no valid master lease of group " + group);
    }

    /** Nanoseconds of valid master lease this node holds in {@code group}; {@code <= 0}: none. */
    private long leaseRemainingNanos(int group) {
        return leases.masterRemainingNanos(group, runner(group).master());
    }

    /** See {@link Engine#claimMaster}; {@code group} is valid. */
    CompletionStage<MasterInfo> claimMaster(int group, long expectedVersion, long leaseMillis) {
        if (expectedVersion < -1) throw new IllegalArgumentException("expectedVersion must be >= -1: " + expectedVersion);
        if (leaseMillis < 1 || leaseMillis > Proposal.MAX_TIMEOUT_MILLIS)
            throw new IllegalArgumentException("leaseMillis must be in 1.." + Proposal.MAX_TIMEOUT_MILLIS + ": " + leaseMillis);
        long before = leases.now(); // the master's lease counts from BEFORE it proposed
        GroupRunner r = runner(group);
        if (r == null) return CompletableFuture.failedFuture(new GroupUnavailableException("node is not running"));
        long entry = r.leaseEntry(); // read before the master: a newer entry only makes the claim stricter
        MasterInfo m = r.master();
        if (leases.claimMustWait(group, m, expectedVersion, r.leaseEntryExecutedNanos(), before))
            return CompletableFuture.completedFuture(m);
        byte[] claim = new SystemCommand.MasterClaim(config.nodeId(), expectedVersion, leaseMillis,
                Math.max(entry, expectedVersion)).encode();
        return map(r.propose(List.of(new BatchCommand(0, Proposal.NO_MASTER_CONDITION, config.nodeId(), 0, claim)),
                config.proposalTimeoutMillis()).get(0), c -> {
                    MasterInfo won = (MasterInfo) c.result();
                    if (won.nodeId() == config.nodeId()) leases.won(group, won.version(), before, leaseMillis);
                    return won;
                });
    }

    /** See {@link Engine#activateVersion}. */
    Map<Integer, CompletionStage<String>> activateVersion(int stateMachineId, String version) {
        if (stateMachineId < Proposal.MIN_STATE_MACHINE_ID || stateMachineId > Proposal.MAX_STATE_MACHINE_ID)
            throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
        SystemCommand.ActivateVersion.checkVersion(version);
        Map<Integer, CompletionStage<String>> out = new TreeMap<>();
        for (int g = 0; g < groupCount; g++) {
            if (!registry.has(g, stateMachineId)) continue;
            if (!registry.has(g, stateMachineId, version)) {
                out.put(g, CompletableFuture.failedFuture(new UnknownStateMachineException(g, stateMachineId, version)));
            } else if (!running.getAsBoolean()) {
                out.put(g, CompletableFuture.failedFuture(new GroupUnavailableException("node " + config.nodeId() + " is not running")));
            } else {
                out.put(g, map(runner(g).activate(stateMachineId, version), c -> (String) c.result()));
            }
        }
        if (!out.isEmpty()) LOG.log(Level.INFO, "activating state machine {0} version {1} in group(s) {2}", stateMachineId,
                version, out.keySet());
        return out;
    }

    private GroupRunner runner(int group) {
        return runners.apply(group);
    }

    /**
     * Like {@code thenApply}, but a failure reaches the caller as the engine's own exception
     * (a {@link paxos.api.PaxosException}), not wrapped in a {@code CompletionException}.
     */
    private static <T, R> CompletableFuture<R> map(CompletableFuture<T> source, java.util.function.Function<T, R> fn) {
        CompletableFuture<R> out = new CompletableFuture<>();
        source.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(fn.apply(v));
            } else {
                out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            }
        });
        return out;
    }
}
