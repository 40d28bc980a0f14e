package paxos.impl.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.CatchUpRead;
import paxos.impl.core.ChosenValue;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.core.Ready;

/**
 * A group's Ready cycle (the core's {@link Ready} contract): takes every Ready the core has (up
 * to its in-flight bound), appends each one's records in order as the {@link Durability.Rule}
 * splits them, and finishes them — send, serve catch-up reads, hand values to execution,
 * {@code advance()} — strictly in order as their appends complete, except what {@link Early}
 * allows before the append completed (a leader's accepts, commits, chosen values to execution),
 * done when the Ready is taken; this node's own vote is stepped back into the core only once durable. Overlapping the
 * fsyncs this way keeps the pipeline full instead of waiting one fsync per round trip; the
 * store's group commit may cover several Readies (and groups) with one fsync.
 *
 * <p><b>Bytes on their way to disk.</b> The value bytes of the appends this group made and the store
 * has not completed yet are counted ({@link #writingBytes()}), and added to a counter shared by the
 * node's groups ({@link #countNodeWritesIn}): the runner drops peers' values and holds catch-up on
 * them, so that a node never takes values faster than its disk does (the store refuses appends beyond
 * its write queue bound, and a refused append stops the group).
 *
 * <p><b>Threads.</b> Confined to the group's event loop ({@code loop}); append completions are
 * handed back to it (and run on the store's thread while the loop is idle). {@link #writingBytes()}
 * from any thread.
 */
final class ReadyPipeline {
    /** What the group's runner does around the cycle. */
    interface Host {
        /** Why the group stopped, or {@code null}; a stopped group writes and sends nothing more. */
        String failure();

        /** Stops the group for good. */
        void fail(String why);

        /** Hands chosen values (instance order) to execution. */
        void apply(List<ChosenValue> values);

        /** After each pass: publish the core's position. */
        void driven();
    }

    private final int group;
    private final GroupCore core;
    private final LogStore store;
    private final Outbound outbound;
    private final CatchUpServer catchUp;
    /**
     * The group's loop, where append completions go: run right on the store's completing thread
     * when the loop is idle ({@link SerialExecutor#executeHere}), which saves a thread wake-up per
     * fsync on the path of every proposal.
     */
    private final Executor completions;
    private final Durability.Rule durability;
    private final Early early;
    private final int selfId;
    private final Host host;
    /** Value bytes appended by this group and not yet completed by the store. */
    private final AtomicLong writing = new AtomicLong();
    /** The same, summed over the node's groups (this group's own counter until one is shared). */
    private volatile AtomicLong nodeWriting = new AtomicLong();
    /** Readies taken from the core and not yet finished, oldest first. */
    private final ArrayDeque<InFlight> readies = new ArrayDeque<>();
    /**
     * The highest instance of a synced record this group made durable (from the log's end at
     * start): what a crash leaves at least, so how far early execution has run ahead is bounded
     * ({@link Early#applyAheadMax}) against it.
     */
    private long durableThrough;

    ReadyPipeline(int group, GroupCore core, LogStore store, Outbound outbound, CatchUpServer catchUp, SerialExecutor loop,
                  Durability.Rule durability, Early early, Host host) {
        this.early = early;
        this.selfId = core.config().selfNodeId();
        this.group = group;
        this.core = core;
        this.store = store;
        this.outbound = outbound;
        this.catchUp = catchUp;
        this.completions = loop::executeHere;
        this.durability = durability;
        this.host = host;
        this.durableThrough = store.range(group).end() - 1;
    }

    /**
     * Counts this group's appends in {@code node} too (shared by the node's groups). Called once,
     * before the group's first Ready.
     */
    void countNodeWritesIn(AtomicLong node) {
        nodeWriting = node;
    }

    /** Value bytes this group appended that the store has not completed yet; any thread. */
    long writingBytes() {
        return writing.get();
    }

    /** The same over the node's groups (see {@link #countNodeWritesIn}); any thread. */
    long nodeWritingBytes() {
        return nodeWriting.get();
    }

    /** Runs the cycle as far as it goes now; on the loop. */
    void drive() {
        boolean progress = true;
        while (progress && host.failure() == null) {
            progress = false;
            while (core.hasReady()) {
                Ready ready = core.ready();
                InFlight pending = new InFlight(ready, ready.toPersist().stream().anyMatch(Early::isPromise));
                readies.addLast(pending);
                progress = true;
                Ready.Writes writes = ready.toPersist().isEmpty() ? null : ready.writes(durability);
                if (writes != null) pending.syncedThrough = highestInstance(writes.synced());
                early(pending);
                if (writes == null) {
                    pending.durable = true;
                } else {
                    persist(writes).whenComplete((v, error) -> completions.execute(() -> {
                        if (error != null) {
                            host.fail("log write failed: " + error.getMessage() + " (value bytes still on their way to disk: "
                                    + writing.get() + " of this group, " + nodeWriting.get() + " of the node)");
                            return;
                        }
                        pending.durable = true;
                        drive();
                    }));
                }
            }
            while (!readies.isEmpty() && readies.peekFirst().durable && host.failure() == null) {
                finish(readies.removeFirst());
                progress = true;
            }
        }
        host.driven();
    }

    /**
     * Appends a Ready's records as {@link Durability} splits them: the synced ones with
     * {@link LogStore#append} (their completion is the fsync), the others with
     * {@link LogStore#appendUnsynced} (no fsync of their own). The store keeps call order, so the
     * Ready is written once both stages completed.
     */
    private CompletableFuture<Void> persist(Ready.Writes writes) {
        long bytes = valueBytes(writes.synced()) + valueBytes(writes.unsynced());
        AtomicLong node = nodeWriting;
        writing.addAndGet(bytes);
        node.addAndGet(bytes);
        CompletableFuture<Void> first = writes.synced().isEmpty() ? CompletableFuture.completedFuture(null)
                : store.append(writes.synced()).toCompletableFuture();
        CompletableFuture<Void> second = writes.unsynced().isEmpty() ? CompletableFuture.completedFuture(null)
                : store.appendUnsynced(writes.unsynced()).toCompletableFuture();
        // counted down when the store is done with them, whatever the outcome (a failed group's appends
        // must not hold the node's other groups), before the caller's own completion runs
        return CompletableFuture.allOf(first, second).whenComplete((v, e) -> {
            writing.addAndGet(-bytes);
            node.addAndGet(-bytes);
        });
    }

    /** The value bytes of {@code records} (what may be large; headers are not counted). */
    static long valueBytes(List<LogRecord> records) {
        long bytes = 0;
        for (LogRecord r : records) {
            if (r instanceof LogRecord.Accept a) bytes += a.value().length;
            else if (r instanceof LogRecord.Chosen c) bytes += c.value().length;
            else if (r instanceof LogRecord.Meta m) bytes += m.value().length;
        }
        return bytes;
    }

    /** The highest instance of an accept or chosen mark in {@code records}, or {@code -1}. */
    static long highestInstance(List<LogRecord> records) {
        long high = -1;
        for (LogRecord r : records) {
            if (r instanceof LogRecord.Accept a) high = Math.max(high, a.instance());
            else if (r instanceof LogRecord.Chosen c) high = Math.max(high, c.instance());
        }
        return high;
    }

    /** A Ready taken from the core whose records may still be on their way to disk. */
    private static final class InFlight {
        final Ready ready;
        final boolean promise;
        /** The highest instance of its synced records ({@code -1}: none). */
        long syncedThrough = -1;
        boolean durable;
        /** The messages {@link #early} left for {@link #finish}; all of them until it ran. */
        List<Message> late;
        boolean applied;

        InFlight(Ready ready, boolean promise) {
            this.ready = ready;
            this.promise = promise;
            this.late = ready.messages();
        }
    }

    /**
     * Does at once what {@link Early} allows before the Ready is durable: sends the leader's
     * accepts and the commits (and, if the rule allows, hands chosen values to execution, in
     * order). The rest waits for {@link #finish}.
     */
    private void early(InFlight pending) {
        boolean promisePending = false;
        for (InFlight f : readies) promisePending |= f.promise && !f.durable;
        List<Message> late = new ArrayList<>();
        List<Message> self = new ArrayList<>();
        for (Message m : pending.ready.messages()) {
            if (!early.sendEarly(m, selfId, promisePending)) late.add(m);
            else if (m.to() == selfId) self.add(m);
            else outbound.send(m);
        }
        pending.late = late;
        if (early.applyEarly() && mayApplyNow(pending)) {
            if (!pending.ready.toApply().isEmpty()) host.apply(pending.ready.toApply());
            pending.applied = true;
        }
        for (Message m : self) core.step(m); // only a broken rule delivers a vote early
    }

    /**
     * True if the values of {@code pending} may go to execution before it is durable: no earlier Ready
     * holds values back (execution stays in instance order) and the last is within
     * {@link Early#applyAheadMax} of {@link #durableThrough}.
     */
    private boolean mayApplyNow(InFlight pending) {
        List<ChosenValue> values = pending.ready.toApply();
        if (values.isEmpty()) return true;
        for (InFlight f : readies) {
            if (f != pending && !f.applied && !f.ready.toApply().isEmpty()) return false;
        }
        return values.get(values.size() - 1).instance() - durableThrough <= early.applyAheadMax();
    }

    private void finish(InFlight done) {
        durableThrough = Math.max(durableThrough, done.syncedThrough);
        Ready ready = done.ready;
        List<Message> self = new ArrayList<>();
        for (Message m : done.late) {
            if (m.to() == selfId) self.add(m); // this node's own vote, now durable
            else outbound.send(m);
        }
        for (CatchUpRead read : ready.catchUpReads()) catchUp.serve(read, store, outbound);
        if (!done.applied && !ready.toApply().isEmpty()) host.apply(ready.toApply());
        core.advance(ready);
        for (Message m : self) core.step(m);
    }
}
