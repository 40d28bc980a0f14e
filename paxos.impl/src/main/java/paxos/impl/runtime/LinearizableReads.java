package paxos.impl.runtime;

import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import paxos.api.PaxosException;
import paxos.api.Proposal;
import paxos.api.ProposalTimeoutException;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.GroupCore;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.SystemCommand;

/**
 * The LINEARIZABLE reads of one group's runner. A read is a read-index ({@link GroupCore#read}):
 * the leader confirms its leadership with a quorum round and names the instance the read must
 * see, for its own reads and for a follower's, which asks it with one message; the read completes
 * once <em>this</em> node executed that far, with no log write. When no leader is known, or the
 * core cannot confirm it (leadership lost or changed, too many reads waiting, no quorum or no
 * answer in time), it is a no-op barrier command chosen through Paxos, as before.
 *
 * <p><b>Threads.</b> {@link #read} and {@link #failAll}: any thread; {@link #released}: the
 * group's loop; {@link #executed}: the execution queue. Every read fails with
 * {@link ProposalTimeoutException} after its timeout (timers coalesced by {@link DeadlineBuckets}).
 */
final class LinearizableReads {
    private static final byte[] BARRIER = new SystemCommand.Barrier().encode();

    private record Waiting(CompletableFuture<Long> out, long timeoutMillis) {}

    /** Every read until it completes, by ID (the timeouts' map). */
    private final Map<Long, Waiting> open = new ConcurrentHashMap<>();
    private final DeadlineBuckets timeouts;

    private record Confirmed(long index, CompletableFuture<Long> out) {}

    private final int group;
    private final int self;
    private final Executor loop;
    private final Executor exec;
    private final LongSupplier executedInstance;
    private final BiFunction<List<BatchCommand>, Long, CompletableFuture<ExecOutcome.Completed>> propose;
    private final AtomicLong ids = new AtomicLong();
    /** Reads registered in the core, by ID; loop-written. */
    private final Map<Long, Waiting> registered = new ConcurrentHashMap<>();
    /** Confirmed reads waiting for execution, lowest index first; exec-confined. */
    private final PriorityQueue<Confirmed> confirmed = new PriorityQueue<>((a, b) -> Long.compare(a.index, b.index));

    /**
     * @param executedInstance this node's executed position (read on the execution queue)
     * @param propose proposes one unit through the runner (the barrier)
     */
    LinearizableReads(int group, int self, RuntimeClock clock, Executor loop, Executor exec, LongSupplier executedInstance,
                      BiFunction<List<BatchCommand>, Long, CompletableFuture<ExecOutcome.Completed>> propose) {
        this.group = group;
        this.self = self;
        this.loop = loop;
        this.exec = exec;
        this.executedInstance = executedInstance;
        this.propose = propose;
        this.timeouts = new DeadlineBuckets(clock, this::expire);
    }

    private void expire(long id) {
        Waiting w = open.remove(id);
        registered.remove(id);
        if (w != null) w.out.completeExceptionally(new ProposalTimeoutException("group " + group
                + ": LINEARIZABLE read not done here within " + w.timeoutMillis + " ms"));
    }

    /**
     * A read; {@code register} runs on the loop with the read's ID and says whether the core took
     * it as a read-index (false: it goes through a barrier). {@code leaderKnown} false (this node
     * knows no leader, itself included): straight to the barrier, without a pass through the loop.
     */
    CompletableFuture<Long> read(long timeoutMillis, boolean leaderKnown, LongPredicate register) {
        CompletableFuture<Long> out = new CompletableFuture<>();
        if (!leaderKnown) {
            barrier(out, timeoutMillis); // the barrier's own timeout
            return out;
        }
        long id = ids.incrementAndGet();
        open.put(id, new Waiting(out, timeoutMillis));
        out.whenComplete((v, e) -> open.remove(id));
        timeouts.expireAfter(timeoutMillis, id);
        loop.execute(() -> {
            if (out.isDone()) return;
            registered.put(id, new Waiting(out, timeoutMillis));
            if (!register.test(id) && registered.remove(id) != null) barrier(out, timeoutMillis);
        });
        return out;
    }

    /** The core released these reads (loop): confirmed ones wait for execution, the others take a barrier. */
    void released(List<GroupCore.ReadDone> done) {
        for (GroupCore.ReadDone d : done) {
            Waiting w = registered.remove(d.id());
            if (w == null || w.out.isDone()) continue;
            if (!d.confirmed()) {
                barrier(w.out, w.timeoutMillis);
            } else {
                exec.execute(() -> {
                    confirmed.add(new Confirmed(d.index(), w.out));
                    executed();
                });
            }
        }
    }

    /** Execution advanced (exec queue): completes the confirmed reads it reached. */
    void executed() {
        long at = executedInstance.getAsLong();
        while (!confirmed.isEmpty() && confirmed.peek().index <= at) confirmed.poll().out.complete(at);
    }

    /** Fails every waiting read (the group stopped or is retired). */
    void failAll(Supplier<PaxosException> why) {
        registered.clear();
        for (Waiting w : List.copyOf(open.values())) w.out.completeExceptionally(why.get());
        exec.execute(confirmed::clear);
    }

    /** A no-op system command chosen through Paxos: once it executed here, so did everything chosen before the read. */
    private void barrier(CompletableFuture<Long> out, long timeoutMillis) {
        propose.apply(List.of(new BatchCommand(0, Proposal.NO_MASTER_CONDITION, self, 0, BARRIER)), timeoutMillis)
                .whenComplete((c, e) -> {
                    if (e == null) out.complete(c.instance());
                    else out.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                });
    }
}
