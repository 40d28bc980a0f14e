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
 * The callers on this node waiting for their commands to execute here: one map from request ID
 * to the caller's future. A future leaves the map when it completes (executed, failed, timed out
 * on the runtime's clock, or the group stopped).
 *
 * <p><b>Threads.</b> Any thread.
 */
final class PendingProposals {
    private final int group;
    private final int self;
    private final AtomicLong nextRequestId;
    private final RuntimeClock clock;
    private final ConcurrentHashMap<Long, CompletableFuture<ExecOutcome.Completed>> waiting = new ConcurrentHashMap<>();

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
            waiting.put(id, f);
            f.whenComplete((v, e) -> waiting.remove(id));
            clock.schedule(TimeUnit.MILLISECONDS.toNanos(timeoutMillis), () ->
                    f.completeExceptionally(new ProposalTimeoutException("group " + group + ": not executed here within "
                            + timeoutMillis + " ms; the value may still be chosen")));
        }
        return futures;
    }

    /** Completes the callers of these outcomes (others' requests and gone callers are skipped). */
    void complete(List<ExecOutcome> outcomes) {
        for (ExecOutcome o : outcomes) {
            CompletableFuture<ExecOutcome.Completed> f = waiting.remove(o.requestId());
            if (f == null) continue;
            if (o instanceof ExecOutcome.Completed c) f.complete(c);
            else if (o instanceof ExecOutcome.Failed failed) f.completeExceptionally(failed.error());
        }
    }

    void fail(long requestId, PaxosException e) {
        CompletableFuture<ExecOutcome.Completed> f = waiting.remove(requestId);
        if (f != null) f.completeExceptionally(e);
    }

    /** Fails every waiting caller. */
    void failAll(Supplier<PaxosException> why) {
        for (Long id : List.copyOf(waiting.keySet())) fail(id, why.get());
    }
}
