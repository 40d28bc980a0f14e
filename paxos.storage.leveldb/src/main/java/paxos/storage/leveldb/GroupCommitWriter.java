package paxos.storage.leveldb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import paxos.api.spi.log.LogUnavailableException;
import paxos.api.spi.log.SyncPolicy;

/**
 * The single writer thread: takes everything queued at that moment (up to a batch byte bound),
 * appends it to the newest segment in one write, makes it durable with one
 * {@code force(false)} (group commit, across groups), updates the index, then hands the
 * batch to the completer thread, which completes the stages in queue order while the next batch is
 * written. Stages are completed on the completer thread: callers must not block in them.
 *
 * <p>Failures: an I/O error fails the batch's stages with {@link LogUnavailableException} and cuts
 * the file back to its last whole record; a failed fsync (the page cache can no longer be
 * trusted) or index failure makes the store unavailable until reopened.
 */
final class GroupCommitWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());

    /** One append call, or an internal write of the cleaner ({@code restateGroups}). */
    record Pending(List<Op> ops, List<Integer> restateGroups, long bytes, boolean sync, CompletableFuture<Void> done) {}

    private final LevelDbStoreConfig config;
    private final Segments segments;
    private final Index index;
    private final Map<Integer, GroupState> states;
    private final Stats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** The newest segment holds writes no fsync covered yet (writer thread only). */
    private boolean unsyncedBytes;
    private long queuedRecords;
    private long queuedBytes;
    private boolean closing;
    private volatile LogUnavailableException broken;
    private ByteBuffer buffer;
    /** Durable batches waiting for their stages to be completed; bounded, so the writer waits if it runs ahead. */
    private final java.util.concurrent.BlockingQueue<Runnable> completions = new java.util.concurrent.ArrayBlockingQueue<>(1024);
    private static final Runnable END = () -> { };

    GroupCommitWriter(LevelDbStoreConfig config, Segments segments, Index index, Map<Integer, GroupState> states, Stats stats) {
        this.config = config;
        this.segments = segments;
        this.index = index;
        this.states = states;
        this.stats = stats;
        this.buffer = ByteBuffer.allocate(Math.min(config.batchBytesMax(), 1 << 20) + 64 * 1024);
    }

    /** Queues a write; fails the returned stage at once if the queue is full or the store is closed. */
    CompletableFuture<Void> submit(List<Op> ops, List<Integer> restateGroups, boolean bounded) {
        return submit(ops, restateGroups, bounded, true);
    }

    /**
     * Queues ops; with {@code sync} false the batch they land in is fsynced only if another
     * write in it asks for it (their completion then waits for the write, not for a sync).
     */
    CompletableFuture<Void> submit(List<Op> ops, List<Integer> restateGroups, boolean bounded, boolean sync) {
        long bytes = 0;
        for (Op op : ops) bytes += RecordFormat.HEADER_BYTES + op.payloadBytes();
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            LogUnavailableException refusal = broken;
            if (closing) refusal = new LogUnavailableException("store is closed");
            else if (bounded && (queuedRecords + ops.size() > config.writeQueueRecordsMax()
                    || (queuedBytes + bytes > config.writeQueueBytesMax() && queuedRecords > 0))) {
                refusal = new LogUnavailableException("write queue full (" + queuedRecords + " records, " + queuedBytes
                        + " bytes queued; bounds " + config.writeQueueRecordsMax() + " records, "
                        + config.writeQueueBytesMax() + " bytes)");
            }
            if (refusal != null) {
                done.completeExceptionally(refusal);
                return done;
            }
            queue.add(new Pending(ops, restateGroups, bytes, sync, done));
            queuedRecords += ops.size();
            queuedBytes += bytes;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return done;
    }

    /** Stops taking new writes; the thread finishes what is queued, then exits. */
    void close() {
        lock.lock();
        try {
            closing = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        while (true) {
            List<Pending> batch = take();
            if (batch == null) {
                forceUnsynced();
                putUninterruptibly(END); // tells the completer to end
                return;
            }
            process(batch);
        }
    }

    private List<Pending> take() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) return null;
                notEmpty.awaitUninterruptibly();
            }
            List<Pending> batch = new ArrayList<>();
            long bytes = 0;
            while (!queue.isEmpty() && (batch.isEmpty() || bytes + queue.peek().bytes() <= config.batchBytesMax())) {
                Pending p = queue.poll();
                batch.add(p);
                bytes += p.bytes();
                queuedRecords -= p.ops().size();
                queuedBytes -= p.bytes();
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void process(List<Pending> batch) {
        if (broken != null) {
            fail(batch, broken);
            return;
        }
        Segment seg;
        try {
            seg = rollIfFull();
        } catch (IOException e) {
            fail(batch, new LogUnavailableException("cannot create a segment file: " + e, e));
            return;
        }
        long base = seg.size;
        IndexBatch changes = new IndexBatch(index, states);
        buffer.clear();
        for (Pending p : batch) {
            for (Op op : p.ops()) encode(changes.decide(op), changes, seg, base);
            // restated state changes nothing, so it bypasses decide(), which would drop it as a no-op
            for (int g : p.restateGroups()) for (Op op : changes.restate(g)) encode(op, changes, seg, base);
        }
        buffer.flip();
        int written = buffer.remaining();
        Step step = Step.WRITE;
        try {
            seg.write(buffer, base);
            step = Step.FORCE;
            if (config.syncPolicy() == SyncPolicy.SYNC && batch.stream().anyMatch(Pending::sync)) {
                unsyncedBytes = false;
                seg.channel.force(false);
                stats.fsyncs.incrementAndGet();
            }
            if (batch.stream().noneMatch(Pending::sync)) unsyncedBytes = true;
            step = Step.INDEX;
            seg.size = base + written;
            stats.bytesWritten.addAndGet(written);
            stats.indexBytesWritten.addAndGet(changes.commit(seg.id, seg.size));
        } catch (IOException | RuntimeException e) {
            fail(batch, failure(e, seg, base, step));
            return;
        }
        // completing wakes up to one thread per append: done on the completer thread, so that the
        // next batch's write and fsync overlap those wake-ups instead of waiting for them
        putUninterruptibly(() -> {
            for (Pending p : batch) p.done().complete(null);
        });
    }

    /** The completer thread's loop: completes durable batches in order; ends after the writer's last batch. */
    void completeLoop() {
        while (true) {
            Runnable next;
            try {
                next = completions.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == END) return;
            next.run();
        }
    }

    private void encode(Op record, IndexBatch changes, Segment seg, long base) {
        if (record == null) return;
        int size = RecordFormat.HEADER_BYTES + record.payloadBytes();
        if (buffer.remaining() < size) grow(size);
        int pos = buffer.position();
        int crc = RecordFormat.encode(record, buffer);
        changes.apply(record, new IndexEntry(seg.id, base + pos, size, crc, 0, false));
        seg.summary.add(record);
    }

    private void grow(int needed) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + needed));
        buffer.flip();
        bigger.put(buffer);
        buffer = bigger;
    }

    /** On close: writes that asked for no sync of their own become durable too. */
    private void forceUnsynced() {
        if (!unsyncedBytes || config.syncPolicy() != SyncPolicy.SYNC || broken != null) return;
        try {
            segments.newest().channel.force(false);
            stats.fsyncs.incrementAndGet();
            unsyncedBytes = false;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "fsync at close failed: " + e);
        }
    }

    private Segment rollIfFull() throws IOException {
        Segment seg = segments.newest();
        if (seg.size < config.segmentBytes()) return seg;
        if (unsyncedBytes && config.syncPolicy() == SyncPolicy.SYNC) {
            // later syncs force only the next segment: unsynced writes of this one get theirs now
            seg.channel.force(false);
            stats.fsyncs.incrementAndGet();
            unsyncedBytes = false;
        }
        index.putSummary(seg.id, seg.summary);
        return segments.createNext();
    }

    private enum Step { WRITE, FORCE, INDEX }

    /** Decides what a failed batch means for the store and returns the stages' failure. */
    private LogUnavailableException failure(Exception e, Segment seg, long base, Step step) {
        if (step == Step.INDEX) {
            // the data is durable but the index could not be updated: reopening rebuilds it
            broken = new LogUnavailableException("index write failed; reopen the store to rebuild the index: " + e, e);
            LOG.log(Level.ERROR, broken.getMessage());
            return broken;
        }
        String what = (step == Step.WRITE ? "write to " : "fsync of ") + seg + " at offset " + base + " failed: " + e;
        try {
            seg.channel.truncate(base);
        } catch (IOException t) {
            broken = new LogUnavailableException(what + "; cutting the file back failed too, reopen the store: " + t, e);
        }
        if (step == Step.FORCE && broken == null) {
            // after a failed fsync the kernel may have dropped dirty pages: nothing written since can be trusted
            broken = new LogUnavailableException(what + "; reopen the store", e);
        }
        LOG.log(Level.WARNING, what);
        return broken != null ? broken : new LogUnavailableException(what, e);
    }

    private void putUninterruptibly(Runnable completion) {
        while (true) {
            try {
                completions.put(completion);
                return;
            } catch (InterruptedException e) {
                // closing: the completer must still get the end marker
            }
        }
    }

    /** Fails the batch's stages, in order with the completions of earlier batches. */
    private void fail(List<Pending> batch, LogUnavailableException e) {
        putUninterruptibly(() -> {
            for (Pending p : batch) p.done().completeExceptionally(e);
        });
    }
}
