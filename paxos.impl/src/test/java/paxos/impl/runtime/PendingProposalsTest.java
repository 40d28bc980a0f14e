package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import paxos.api.GroupUnavailableException;
import paxos.api.ProposalTimeoutException;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.ExecOutcome;

/**
 * The one map of a group's pending proposals: callers complete from outcomes, and a LEASE read
 * waits for this node's earlier application proposals, however they end, and only for those.
 */
class PendingProposalsTest {
    private static final long HOUR_MILLIS = 3_600_000;
    private final PendingProposals pending = new PendingProposals(0, 1, new AtomicLong(100), RuntimeClock.SYSTEM);
    private final AtomicInteger reads = new AtomicInteger();

    private CompletableFuture<Integer> read() {
        return CompletableFuture.completedFuture(reads.incrementAndGet());
    }

    private CompletableFuture<ExecOutcome.Completed> open(int stateMachineId, List<BatchCommand> numbered) {
        return pending.open(List.of(new BatchCommand(stateMachineId, -1, 1, 0, new byte[] {1})), HOUR_MILLIS, null, numbered)
                .get(0);
    }

    @Test
    void aCallerAwaitsOnlyTheBytesItProposedUnderItsRequestId() {
        List<BatchCommand> numbered = new ArrayList<>();
        open(1, numbered);
        long id = numbered.get(0).requestId();
        assertTrue(pending.awaits(id, new byte[] {1}));
        assertFalse(pending.awaits(id, new byte[] {2}), "an earlier incarnation's command under the same ID");
        assertTrue(pending.awaits(id + 1, new byte[] {2}), "nobody waits for this ID");
    }

    @Test
    void withNothingPendingTheReadRunsAtOnce() {
        assertEquals(1, pending.afterEarlier(this::read).join());
    }

    @Test
    void theReadWaitsForEveryEarlierApplicationProposalExecutedOrFailed() {
        List<BatchCommand> numbered = new ArrayList<>();
        CompletableFuture<ExecOutcome.Completed> executes = open(7, numbered);
        CompletableFuture<ExecOutcome.Completed> fails = open(7, numbered);
        CompletableFuture<ExecOutcome.Completed> barrier = open(0, numbered); // system command: not waited for
        CompletableFuture<Integer> r = pending.afterEarlier(this::read);
        CompletableFuture<ExecOutcome.Completed> later = open(7, numbered); // after the read: not waited for
        assertEquals(List.of(100L, 101L, 102L, 103L), numbered.stream().map(BatchCommand::requestId).toList());
        pending.complete(List.of(new ExecOutcome.Completed(100, 5, 0, "ok")));
        assertTrue(executes.isDone());
        assertFalse(r.isDone());
        pending.fail(101, new GroupUnavailableException("gone"));
        assertTrue(r.isDone() && !r.isCompletedExceptionally(), "a failed proposal hides no write");
        assertEquals(1, r.join());
        assertFalse(later.isDone() || barrier.isDone());
        assertTrue(fails.isCompletedExceptionally());
    }

    @Test
    void aStoppedGroupFailsAtOnceAndNothingWaits() {
        List<BatchCommand> numbered = new ArrayList<>();
        CompletableFuture<ExecOutcome.Completed> f = pending.open(
                List.of(new BatchCommand(7, -1, 1, 0, new byte[] {1})), HOUR_MILLIS, "disk full", numbered).get(0);
        assertTrue(f.isCompletedExceptionally());
        assertTrue(pending.afterEarlier(this::read).isDone(), "nothing pending");
    }

    @Test
    void timeoutsShareOneTimerPerBucketAndNeverFireEarly() {
        ManualClock clock = new ManualClock();
        PendingProposals timed = new PendingProposals(0, 1, new AtomicLong(1), clock);
        List<BatchCommand> numbered = new ArrayList<>();
        List<CompletableFuture<ExecOutcome.Completed>> f = new ArrayList<>();
        for (long at : new long[] {0, 1, 49, 51}) { // deadlines 100, 101, 149 and 151 ms
            clock.advance(TimeUnit.MILLISECONDS.toNanos(at) - clock.nanoTime());
            f.add(timed.open(List.of(new BatchCommand(7, -1, 1, 0, new byte[] {1})), 100, null, numbered).get(0));
        }
        assertEquals(3, clock.timers(), "buckets ending at 100, 150 and 200 ms");
        timed.complete(List.of(new ExecOutcome.Completed(2, 5, 0, "ok"))); // executed: its timer must not fail it
        clock.advance(TimeUnit.MILLISECONDS.toNanos(100) - clock.nanoTime() - 1);
        assertFalse(f.get(0).isDone(), "not before the deadline");
        clock.advance(1);
        assertInstanceOf(ProposalTimeoutException.class, f.get(0).handle((v, e) -> e).join());
        assertFalse(f.get(1).isCompletedExceptionally());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(150) - clock.nanoTime() - 1);
        assertFalse(f.get(2).isDone(), "at most one bucket late, never early");
        clock.advance(1);
        assertTrue(f.get(2).isCompletedExceptionally() && !f.get(3).isDone());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(f.get(3).isCompletedExceptionally());
        assertEquals(0, clock.timers());
    }
}
