package paxos.impl.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * This node's application proposals per group that have not executed here nor failed yet: the
 * one record the engine keeps of them, for LEASE reads, which must not answer before a write this
 * node proposed earlier executed here (it may already be chosen and read elsewhere).
 *
 * <p>Only application proposals are tracked (not claims or barriers): those are what a read must
 * see. The group runner keeps its own waiters per request ID to complete the futures; this class
 * only watches the futures it is given, so it never completes or fails one.
 *
 * <p><b>Threads.</b> Any thread: {@link #track} from API callers, removal from whichever thread
 * completes the future, {@link #afterEarlier} from readers. Bounded by what the runner accepts
 * (every future completes, at the latest when its proposal times out). Never throws.
 */
final class PendingProposals {
    private final Map<Long, CompletableFuture<?>>[] byGroup;
    private final AtomicLong seq = new AtomicLong();

    @SuppressWarnings("unchecked")
    PendingProposals(int groupCount) {
        byGroup = new Map[groupCount];
        for (int g = 0; g < groupCount; g++) byGroup[g] = new ConcurrentHashMap<>();
    }

    /** Watches {@code f} until it completes, either way. */
    void track(int group, CompletableFuture<?> f) {
        long id = seq.incrementAndGet();
        byGroup[group].put(id, f);
        f.whenComplete((v, e) -> byGroup[group].remove(id));
    }

    /**
     * Runs {@code next} once every proposal of {@code group} pending now has completed (executed
     * or failed: either way it no longer hides a write), at once if there is none. Proposals made
     * after this call are not waited for.
     */
    <T> CompletableFuture<T> afterEarlier(int group, Supplier<CompletableFuture<T>> next) {
        List<CompletableFuture<?>> earlier = List.copyOf(byGroup[group].values());
        if (earlier.isEmpty()) return next.get();
        return CompletableFuture.allOf(earlier.toArray(new CompletableFuture<?>[0]))
                .handle((v, e) -> null).thenCompose(v -> next.get());
    }
}
