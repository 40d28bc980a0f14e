package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A LEASE read waits for this node's earlier proposals of its group, however they end, and only for those. */
class PendingProposalsTest {
    private final PendingProposals pending = new PendingProposals(2);
    private final AtomicInteger reads = new AtomicInteger();

    private CompletableFuture<Integer> read() {
        return CompletableFuture.completedFuture(reads.incrementAndGet());
    }

    @Test
    void withNothingPendingTheReadRunsAtOnce() {
        assertEquals(1, pending.afterEarlier(0, this::read).join());
    }

    @Test
    void theReadWaitsForEveryEarlierProposalOfItsGroupExecutedOrFailed() {
        CompletableFuture<String> executes = new CompletableFuture<>();
        CompletableFuture<String> fails = new CompletableFuture<>();
        CompletableFuture<String> otherGroup = new CompletableFuture<>();
        pending.track(0, executes);
        pending.track(0, fails);
        pending.track(1, otherGroup);
        CompletableFuture<Integer> r = pending.afterEarlier(0, this::read);
        CompletableFuture<String> later = new CompletableFuture<>();
        pending.track(0, later); // proposed after the read: not waited for
        executes.complete("ok");
        assertFalse(r.isDone());
        fails.completeExceptionally(new IllegalStateException("timed out"));
        assertTrue(r.isDone() && !r.isCompletedExceptionally(), "a failed proposal hides no write");
        assertEquals(1, r.join());
        assertFalse(later.isDone() || otherGroup.isDone());
    }

    @Test
    void aCompletedProposalIsForgotten() {
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.track(0, f);
        f.complete("ok");
        CompletableFuture<Integer> r = pending.afterEarlier(0, this::read);
        assertTrue(r.isDone(), "nothing pending any more");
    }
}
