package paxos.impl.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import paxos.api.PaxosException;
import paxos.api.ProposalTimeoutException;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.ExecOutcome;

/**
 * Proposal units that arrived while their group was closed to this node's request IDs (see
 * {@link RequestIds}): not numbered yet, they wait here until the group opens, as they would wait
 * for a leader, each within its own timeout (on the runtime's clock). At most {@code max} units.
 *
 * <p><b>Threads.</b> Any thread (synchronized; only used while the group is closed, and its
 * runner fails the callers from whichever thread stops it).
 */
final class HeldProposals {
    /** A unit and its callers' futures; {@code heldAtNanos} on the runtime's clock. */
    record Unit(List<BatchCommand> commands, long timeoutMillis, long heldAtNanos,
                List<CompletableFuture<ExecOutcome.Completed>> futures) {
        boolean done() {
            for (CompletableFuture<?> f : futures) if (!f.isDone()) return false;
            return true;
        }
    }

    private final int group;
    private final int max;
    private final RuntimeClock clock;
    private final ArrayDeque<Unit> units = new ArrayDeque<>();

    HeldProposals(int group, int max, RuntimeClock clock) {
        this.group = group;
        this.max = max;
        this.clock = clock;
    }

    /** One new future per command of a unit to hold. */
    static List<CompletableFuture<ExecOutcome.Completed>> futures(int count) {
        List<CompletableFuture<ExecOutcome.Completed>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(new CompletableFuture<>());
        return out;
    }

    /** Holds {@code u}; false (nothing held) if full. */
    synchronized boolean hold(Unit u) {
        units.removeIf(Unit::done); // timed out meanwhile
        if (units.size() >= max) return false;
        units.addLast(u);
        clock.schedule(u.timeoutMillis() * 1_000_000L, () -> {
            for (CompletableFuture<ExecOutcome.Completed> f : u.futures()) f.completeExceptionally(new ProposalTimeoutException(
                    "group " + group + ": not proposed within " + u.timeoutMillis() + " ms: this node had not yet executed"
                            + " the group's history of its node ID (a new data directory); nothing was proposed"));
        });
        return true;
    }

    /** Every unit still waiting, oldest first; they leave. */
    synchronized List<Unit> drain() {
        List<Unit> out = new ArrayList<>();
        for (Unit u : units) if (!u.done()) out.add(u);
        units.clear();
        return out;
    }

    /** Fails every waiting caller. */
    void failAll(Supplier<PaxosException> why) {
        for (Unit u : drain()) for (CompletableFuture<ExecOutcome.Completed> f : u.futures()) f.completeExceptionally(why.get());
    }

    /** Units waiting (some may have timed out). */
    synchronized int size() {
        return units.size();
    }
}
