package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.CatchUpRead;

/**
 * Serves peers' catch-up reads ({@link CatchUpRead}) from the log store on the io threads, paced by
 * the bytes this node has queued for each learner, so that a learner that reads slowly or not at
 * all never grows this node's heap beyond a stated bound:
 * <ul>
 *   <li>one (group, learner)'s reads run one at a time, in the order requested (a learner keeps
 *       several requests outstanding: see {@code paxos.impl.core.CatchUp}); at most
 *       {@link #LEARNER_READS_MAX} wait, and a request for a range that already waits or runs (a
 *       learner's retry) is dropped;</li>
 *   <li>a read starts only while the transport holds less than {@link #PEER_QUEUED_BYTES_MAX} for
 *       that learner and less than {@link #TOTAL_QUEUED_BYTES_MAX} for every learner served, reads
 *       in progress included; otherwise it is dropped (the learner asks again after its retransmit
 *       timeout, at this node or another);</li>
 *   <li>a read takes the store's records in chunks sized by the bytes seen so far, never much
 *       more than the reply's {@link CatchUpRead#bytesMax()}.</li>
 * </ul>
 * So catch-up holds at most {@code PEER_QUEUED_BYTES_MAX + one reply} per learner and
 * {@code TOTAL_QUEUED_BYTES_MAX + one reply per io thread} in all (a reply is at most
 * {@code bytesMax} plus one value, as {@link CatchUpRead#reply} bounds it). Without a transport
 * that reports queued bytes ({@link #unpaced}) only the first and last rules hold.
 *
 * <p><b>Threads.</b> {@link #serve} from any thread (a group's loop); reads on the io executor.
 */
final class CatchUpServer {
    private static final System.Logger LOG = System.getLogger(CatchUpServer.class.getName());
    /** Bytes queued for one learner above which no new catch-up read starts for it. */
    static final long PEER_QUEUED_BYTES_MAX = 8L << 20;
    /** Bytes queued for all learners served (reads in progress included) above which no read starts. */
    static final long TOTAL_QUEUED_BYTES_MAX = 32L << 20;
    /** Entries of a read's first chunk, before the value sizes are known. */
    static final int FIRST_CHUNK_ENTRIES = 8;
    /** Reads of one (group, learner) that may wait; above the core's outstanding requests per learner. */
    static final int LEARNER_READS_MAX = 16;

    private final Executor io;
    private final IntToLongFunction queuedBytes;
    /** Per (group, learner): its reads waiting or running; as many as groups times peers. */
    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();
    /** Learners served since start (few: the peers), whose queues count toward the total. */
    private final Set<Integer> learners = ConcurrentHashMap.newKeySet();
    /** Bytes of reads in progress (each counted as its {@code bytesMax} until its reply is queued). */
    private final AtomicLong reading = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Compacted compacted;

    /** Tells a learner that this node cannot serve its request from the log (it may need a checkpoint). */
    @FunctionalInterface
    interface Compacted {
        /** {@code read} asked for an instance this log no longer holds as chosen (see {@link CheckpointTrigger#cannotServe}). */
        void answer(CatchUpRead read);
    }

    /**
     * @param io runs the store reads
     * @param queuedBytes the transport's bytes queued per peer ({@code Transport#queuedBytes})
     * @param compacted answers a request the log cannot serve
     */
    CatchUpServer(Executor io, IntToLongFunction queuedBytes, Compacted compacted) {
        this.io = io;
        this.queuedBytes = queuedBytes;
        this.compacted = compacted;
    }

    /** A server whose transport reports nothing queued and that answers nothing "compacted" (the simulator, tests). */
    static CatchUpServer unpaced(Executor io) {
        return new CatchUpServer(io, peer -> 0, read -> { });
    }

    /** Reads {@code read} from {@code store} and sends the reply on {@code outbound}, or drops it (see above). */
    void serve(CatchUpRead read, LogStore store, Outbound outbound) {
        long key = ((long) read.group() << 32) | (read.toNode() & 0xffffffffL);
        Lane lane = lanes.computeIfAbsent(key, k -> new Lane());
        synchronized (lane) {
            if (lane.waiting.size() >= LEARNER_READS_MAX || lane.has(read.fromInstance())) {
                dropped.incrementAndGet();
                return;
            }
            lane.waiting.addLast(new Job(read, store, outbound));
            if (lane.running != null) return;
            lane.running = lane.waiting.peekFirst();
        }
        schedule(lane);
    }

    /** One (group, learner)'s reads: waiting in order, and the one running. Guarded by itself. */
    private static final class Lane {
        final ArrayDeque<Job> waiting = new ArrayDeque<>();
        /** The read on the io executor (taken or about to be), or {@code null}. */
        Job running;

        boolean has(long fromInstance) {
            if (running != null && running.read().fromInstance() == fromInstance) return true;
            for (Job j : waiting) if (j.read().fromInstance() == fromInstance) return true;
            return false;
        }
    }

    private record Job(CatchUpRead read, LogStore store, Outbound outbound) {}

    /** Runs the lane's first read on the io executor, then the next one (a task per read: fair to other lanes). */
    private void schedule(Lane lane) {
        try {
            io.execute(() -> {
                Job job;
                synchronized (lane) {
                    job = lane.waiting.pollFirst();
                    lane.running = job;
                }
                if (job == null) return;
                try {
                    run(job.read(), job.store(), job.outbound());
                } finally {
                    boolean more;
                    synchronized (lane) {
                        lane.running = lane.waiting.peekFirst();
                        more = lane.running != null;
                    }
                    if (more) schedule(lane);
                }
            });
        } catch (RejectedExecutionException closing) {
            synchronized (lane) {
                lane.waiting.clear();
                lane.running = null;
            }
        }
    }

    /** Replies sent since start. */
    long served() {
        return served.get();
    }

    /** Requests dropped since start (one already in progress for the learner, or over a byte bound). */
    long dropped() {
        return dropped.get();
    }

    private void run(CatchUpRead read, LogStore store, Outbound outbound) {
        long reserve = read.bytesMax();
        long inProgress = reading.addAndGet(reserve);
        try {
            learners.add(read.toNode());
            long peer = queuedBytes.applyAsLong(read.toNode());
            long total = inProgress;
            for (int learner : learners) total += queuedBytes.applyAsLong(learner);
            if (peer >= PEER_QUEUED_BYTES_MAX || total > TOTAL_QUEUED_BYTES_MAX + reserve) {
                dropped.incrementAndGet();
                LOG.log(Level.DEBUG, "group {0}: catch-up read for node {1} dropped: {2} B queued for it, {3} B in all",
                        read.group(), read.toNode(), peer, total);
                return;
            }
            List<InstanceRecord> records = readChunked(read, store);
            // checked here, on the read done anyway, rather than by a read of its own per request
            InstanceRecord first = records.isEmpty() ? null : records.get(0);
            if (CheckpointTrigger.cannotServe(read.fromInstance(), Long.MIN_VALUE, read.chosenUpTo(),
                    i -> first != null && first.instance() == i ? Optional.of(first) : Optional.empty())) {
                compacted.answer(read);
                return;
            }
            outbound.send(read.reply(records));
            served.incrementAndGet();
        } catch (LogCompactedException e) {
            compacted.answer(read); // retention passed it since the request arrived
        } catch (RuntimeException e) {
            // unavailable: the requester asks another peer
            LOG.log(Level.DEBUG, "group {0}: catch-up read [{1},{2}) failed: {3}", read.group(), read.fromInstance(),
                    read.toInstance(), e.getMessage());
        } finally {
            reading.addAndGet(-reserve);
        }
    }

    /**
     * The records of {@code read}'s range, at most its entries, stopping once they hold its
     * {@code bytesMax} of values: chunks sized by the mean value seen so far, so that a range of
     * large values is not read whole ({@code entriesMax} of them) to send a few.
     */
    static List<InstanceRecord> readChunked(CatchUpRead read, LogStore store) {
        List<InstanceRecord> out = new ArrayList<>();
        long bytes = 0;
        long from = read.fromInstance();
        int chunk = Math.min(FIRST_CHUNK_ENTRIES, read.entriesMax());
        while (from < read.toInstance() && out.size() < read.entriesMax() && (out.isEmpty() || bytes < read.bytesMax())) {
            List<InstanceRecord> got = store.readRange(read.group(), from, read.toInstance(), chunk);
            for (InstanceRecord r : got) bytes += r.value().length;
            out.addAll(got);
            if (got.size() < chunk) break; // the range holds no more
            from = got.get(got.size() - 1).instance() + 1;
            long mean = Math.max(1, bytes / out.size());
            long left = Math.max(1, (read.bytesMax() - bytes) / mean + 1);
            chunk = (int) Math.min(read.entriesMax() - out.size(), left);
        }
        return out;
    }
}
