package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Timeouts</b> are coalesced: a proposal's request ID goes into the bucket of its deadline
 * (rounded up to {@value #BUCKET_MILLIS} ms on the runtime's clock), and one timer per bucket fails
 * whatever of it still waits. Why: one timer per proposal cost a heap entry holding the future
 * (kept alive for the whole timeout after it completed) and, on the common pool of a 2-core
 * machine, a new thread per expiry; a proposal may now time out up to one bucket late, never early.
 *
 * <p><b>Threads.</b> Any thread. Bounded by what the runner accepts: every future completes, at
 * the latest when its proposal times out; a bucket holds only IDs and lives until its deadline.
 */
final class PendingProposals {
    private final int group;
    private final int self;
    private final AtomicLong nextRequestId;
    private final RuntimeClock clock;
    private final ConcurrentHashMap<Long, Waiter> waiting = new ConcurrentHashMap<>();
    /** Request IDs by deadline bucket ({@code ceil(deadline / BUCKET_NANOS)}), each with one timer. */
    private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

    static final long BUCKET_MILLIS = 50;
    private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(BUCKET_MILLIS);

    /** Request IDs whose deadline falls into one bucket; closed once its timer ran. */
    private static final class Bucket {
        private long[] ids = new long[16];
        private int size;
        private boolean closed;

        /** False if the timer already ran (the caller takes a fresh bucket). */
        synchronized boolean add(long id) {
            if (closed) return false;
            if (size == ids.length) ids = java.util.Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
            return true;
        }

        synchronized long[] close() {
            closed = true;
            return java.util.Arrays.copyOf(ids, size);
        }
    }

    /** A caller's future; {@code application}: a state machine's command (not a barrier or claim). */
    private record Waiter(CompletableFuture<ExecOutcome.Completed> future, boolean application, long timeoutMillis) {}

    /** @param requestIds this node incarnation's request ID sequence (unique across restarts) */
    PendingProposals(int group, int self, AtomicLong requestIds, RuntimeClock clock) {
        this.group = group;
        this.self = self;
        this.nextRequestId = requestIds;
        this.clock = clock;
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
            waiting.put(id, new Waiter(f, c.stateMachineId() != 0, timeoutMillis));
            f.whenComplete((v, e) -> waiting.remove(id));
            expireAt(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), id);
        }
        return futures;
    }

    /** Puts {@code id} into the bucket of {@code deadline}, creating it (and its timer) if needed. */
    private void expireAt(long deadline, long id) {
        long index = -Math.floorDiv(-deadline, BUCKET_NANOS); // ceil: the bucket's time is never before the deadline
        while (true) {
            Bucket b = buckets.get(index);
            if (b == null) {
                Bucket fresh = new Bucket();
                b = buckets.putIfAbsent(index, fresh);
                if (b == null) {
                    b = fresh; // in the map before its timer exists, so the timer always finds it
                    clock.schedule(Math.max(0, index * BUCKET_NANOS - clock.nanoTime()), () -> expire(index));
                }
            }
            if (b.add(id)) return;
            // its timer ran (and removed it) meanwhile: the next turn makes a fresh one that fires at once
        }
    }

    /** A bucket's timer: fails the proposals of it that still wait. */
    private void expire(long index) {
        Bucket b = buckets.remove(index);
        if (b == null) return;
        for (long id : b.close()) {
            Waiter w = waiting.get(id);
            if (w == null) continue;
            w.future().completeExceptionally(new ProposalTimeoutException("group " + group + ": not executed here within "
                    + w.timeoutMillis() + " ms; the value may still be chosen"));
        }
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
