package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import paxos.api.GroupUnavailableException;
import paxos.api.PaxosException;
import paxos.api.ProposalTimeoutException;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.ExecOutcome;

/**
 * The callers on this node waiting for their commands of one group to execute here: the one map
 * of this node's pending proposals, from request ID to the caller's future. A future leaves the
 * map when it completes (executed, failed, timed out on the runtime's clock, or the group
 * stopped). LEASE reads use it too ({@link #afterEarlier}): they must not answer before a write
 * this node proposed earlier executed here (it may already be chosen and read elsewhere).
 *
 * <p><b>Timeouts</b> are coalesced ({@link DeadlineBuckets}): one timer per {@value #BUCKET_MILLIS} ms
 * bucket of deadlines fails whatever of it still waits; a proposal may time out up to one bucket
 * late, never early.
 *
 * <p><b>Threads.</b> Any thread. Bounded by what the runner accepts: every future completes, at
 * the latest when its proposal times out; a bucket holds only IDs and lives until its deadline.
 */
final class PendingProposals {
    private final int group;
    private final int self;
    private final AtomicLong nextRequestId;
    private final ConcurrentHashMap<Long, Waiter> waiting = new ConcurrentHashMap<>();
    /** One timer per deadline bucket of request IDs. */
    private final DeadlineBuckets timeouts;

    static final long BUCKET_MILLIS = DeadlineBuckets.BUCKET_MILLIS;

    /**
     * A caller's future; {@code application}: a state machine's command (not a barrier or claim);
     * {@code value}: the command's bytes (a reference, not a copy), see {@link #awaits}.
     */
    private record Waiter(CompletableFuture<ExecOutcome.Completed> future, boolean application, long timeoutMillis,
                          byte[] value) {}

    /** @param requestIds this node incarnation's request ID sequence (unique across restarts) */
    PendingProposals(int group, int self, AtomicLong requestIds, RuntimeClock clock) {
        this.group = group;
        this.self = self;
        this.nextRequestId = requestIds;
        this.timeouts = new DeadlineBuckets(clock, this::expire);
    }

    /**
     * Numbers {@code commands} (into {@code numbered}, in order) and returns one future per command;
     * each fails with {@link ProposalTimeoutException} after {@code timeoutMillis}. If the group
     * already stopped ({@code failure} not null) the futures fail at once and nothing waits.
     */
    List<CompletableFuture<ExecOutcome.Completed>> open(List<BatchCommand> commands, long timeoutMillis, String failure,
                                                      List<BatchCommand> numbered) {
        List<CompletableFuture<ExecOutcome.Completed>> futures = new ArrayList<>(commands.size());
        for (BatchCommand c : commands) {
            long id = nextRequestId.getAndIncrement();
            numbered.add(new BatchCommand(c.stateMachineId(), c.masterVersion(), self, id, c.value()));
            CompletableFuture<ExecOutcome.Completed> f = new CompletableFuture<>();
            futures.add(f);
            if (failure != null) {
                f.completeExceptionally(new GroupUnavailableException("group " + group + " failed: " + failure));
                continue;
            }
            waiting.put(id, new Waiter(f, c.stateMachineId() != 0, timeoutMillis, c.value()));
            f.whenComplete((v, e) -> waiting.remove(id));
            timeouts.expireAfter(timeoutMillis, id);
        }
        return futures;
    }

    /**
     * Whether an executed command of this node's ID, {@code requestId} with {@code value}, may
     * complete the caller waiting for that ID: no caller waits, or it proposed exactly these bytes.
     * False for a command of an earlier incarnation of this node ID that reused the ID (see
     * {@code GroupExecutor.awaitedBy}). Any thread.
     */
    boolean awaits(long requestId, byte[] value) {
        Waiter w = waiting.get(requestId);
        return w == null || java.util.Arrays.equals(w.value(), value);
    }

    /** A bucket's timer: fails the proposal if it still waits. */
    private void expire(long id) {
        Waiter w = waiting.get(id);
        if (w == null) return;
        w.future().completeExceptionally(new ProposalTimeoutException("group " + group + ": not executed here within "
                + w.timeoutMillis() + " ms; the value may still be chosen"));
    }

    /** Completes the callers of these outcomes (others' requests and gone callers are skipped). */
    void complete(List<ExecOutcome> outcomes) {
        for (ExecOutcome o : outcomes) {
            Waiter w = waiting.remove(o.requestId());
            if (w == null) continue;
            CompletableFuture<ExecOutcome.Completed> f = w.future();
            if (o instanceof ExecOutcome.Completed c) f.complete(c);
            else if (o instanceof ExecOutcome.Failed failed) f.completeExceptionally(failed.error());
        }
    }

    void fail(long requestId, PaxosException e) {
        Waiter w = waiting.remove(requestId);
        if (w != null) w.future().completeExceptionally(e);
    }

    /**
     * Runs {@code next} once every application proposal pending now has completed (executed or
     * failed: either way it no longer hides a write), at once if there is none. Proposals made
     * after this call, barriers and master claims are not waited for.
     */
    <T> CompletableFuture<T> afterEarlier(Supplier<CompletableFuture<T>> next) {
        List<CompletableFuture<?>> earlier = new ArrayList<>();
        for (Waiter w : waiting.values()) if (w.application()) earlier.add(w.future());
        if (earlier.isEmpty()) return next.get();
        return CompletableFuture.allOf(earlier.toArray(new CompletableFuture<?>[0]))
                .handle((v, e) -> null).thenCompose(v -> next.get());
    }

    /** Fails every waiting caller. */
    void failAll(Supplier<PaxosException> why) {
        for (Long id : List.copyOf(waiting.keySet())) fail(id, why.get());
    }
}
