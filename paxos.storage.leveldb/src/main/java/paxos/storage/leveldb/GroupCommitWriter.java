package paxos.storage.leveldb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import paxos.api.spi.log.LogUnavailableException;
import paxos.api.spi.log.SyncPolicy;

/**
 * The single writer thread: takes everything queued at that moment (up to a batch byte bound),
 * appends it to the newest segment in one write, makes it durable with one
 * {@code force(false)} (group commit, across groups), publishes the index changes to the
 * in-memory {@link Overlay} (no LevelDB work here: {@link IndexCommitter} does it later), then
 * completes the batch's stages itself, in queue order: the callers' completions run on this
 * thread and must not block (the next batch waits for them). Between batches it seals the overlay
 * for a commit as its {@link CommitPolicy} says (16,384 entries, a second, or idle for a second by
 * default).
 *
 * <p>Why completions run here and not on a thread of their own (measured, issue 13): the callers
 * a batch wakes append again at once, and their appends belong in the next batch. Completed
 * here, they are queued by the time this thread takes the next batch. Completed by a second
 * thread, the writer had to wait for it (else the first re-append triggered a small fsync):
 * two thread hand-offs per fsync for the same serial work.
 *
 * <p>Failures: an I/O error (a full disk) fails the batch's stages with
 * {@link LogUnavailableException} and cuts the file back to its last whole record; the next batch
 * tries again, so writes resume once space is freed. A failed fsync (the page cache can no longer
 * be trusted) makes the store unavailable until reopened. An overlay at its bound while LevelDB
 * commits fail refuses batches. An
 * {@link Error} on this thread fails every pending and later append, with one ERROR line.
 */
final class GroupCommitWriter implements Runnable {
    private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());

    /** One append call, or an internal write of the cleaner ({@code restateGroups}). */
    record Pending(List<Op> ops, List<Integer> restateGroups, long bytes, boolean sync, CompletableFuture<Void> done) {}

    private final LevelDbStoreConfig config;
    private final Segments segments;
    private final Index index;
    private final Overlay overlay;
    private final IndexCommitter committer;
    private final IoHook hook;
    private final CommitPolicy policy;
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
    /** Batches failed in a row by write errors, and when that was last logged (writer thread only). */
    private long failedWrites;
    private long lastFailureLogNanos;

    GroupCommitWriter(LevelDbStoreConfig config, Segments segments, Index index, IndexCommitter committer,
            Map<Integer, GroupState> states, Stats stats, IoHook hook, CommitPolicy policy) {
        this.policy = policy;
        this.config = config;
        this.segments = segments;
        this.index = index;
        this.overlay = index.overlay();
        this.committer = committer;
        this.hook = hook;
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
        List<Pending> batch = null;
        try {
            while ((batch = take()) != null) {
                if (batch.isEmpty()) sealIfDue(true); // idle: commit what the overlay holds
                else process(batch);
                batch = null; // completed: die() must not fail it again
            }
            forceUnsynced();
            sealAtClose();
        } catch (Throwable t) {
            die(t, batch);
        }
    }

    /** Next batch; empty after an idle commit period with uncommitted overlay; null when closed. */
    private List<Pending> take() {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closing) return null;
                if (overlay.active().size == 0) {
                    notEmpty.awaitUninterruptibly();
                } else {
                    try {
                        if (!notEmpty.await(policy.commitMillis(), TimeUnit.MILLISECONDS) && queue.isEmpty()) return List.of();
                    } catch (InterruptedException e) {
                        // only close() matters here, and it signals
                    }
                }
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

    private void process(List<Pending> batch) throws InterruptedException {
        if (broken != null) {
            fail(batch, broken);
            return;
        }
        LogUnavailableException full = awaitOverlayRoom();
        if (full != null) {
            fail(batch, full);
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
        boolean forcing = false;
        try {
            hook.beforeWrite(seg.path, written);
            seg.write(buffer, base);
            forcing = true;
            if (config.syncPolicy() == SyncPolicy.SYNC && batch.stream().anyMatch(Pending::sync)) {
                unsyncedBytes = false;
                hook.beforeForce(seg.path);
                long forceStart = System.nanoTime();
                seg.channel.force(false);
                stats.synced(System.nanoTime() - forceStart, batch.stream().mapToInt(p -> p.ops().size()).sum(), written);
            }
            if (batch.stream().noneMatch(Pending::sync)) unsyncedBytes = true;
        } catch (IOException | RuntimeException e) {
            fail(batch, failure(e, seg, base, forcing));
            return;
        }
        seg.size = base + written;
        stats.bytesWritten.addAndGet(written);
        if (failedWrites > 0) {
            LOG.log(Level.INFO, "writes to " + seg + " succeed again after " + failedWrites + " failed batch(es)");
            failedWrites = 0;
        }
        changes.publish();
        sealIfDue(false);
        for (Pending p : batch) p.done().complete(null);
    }

    private void encode(Op record, IndexBatch changes, Segment seg, long base) {
        if (record == null) return;
        int size = RecordFormat.HEADER_BYTES + record.payloadBytes();
        if (buffer.remaining() < size) grow(size);
        int pos = buffer.position();
        RecordFormat.encode(record, buffer);
        changes.apply(record, new IndexEntry(seg.id, base + pos, size, 0, false));
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
        try {
            index.putSummary(seg.id, seg.summary);
        } catch (RuntimeException e) {
            // only saves recovery a scan of the file: without it, the file is scanned
            LOG.log(Level.WARNING, "summary of " + seg + " not stored in the index: " + e);
        }
        return segments.createNext();
    }

    /**
     * Seals the overlay's active generation for a LevelDB commit when it is due (or, with
     * {@code idle}, whenever it holds anything) and no other generation is being committed.
     */
    private void sealIfDue(boolean idle) {
        Overlay.Generation a = overlay.active();
        if (a.size == 0) return;
        boolean due = idle || a.size >= policy.commitEntries()
                || System.nanoTime() - a.createdNanos >= TimeUnit.MILLISECONDS.toNanos(policy.commitMillis());
        Segment seg = segments.newest();
        if (due) overlay.seal(seg.id, seg.size, Map.copyOf(states));
    }

    /**
     * Waits while the overlay is at its bound and a commit is under way.
     *
     * @return {@code null} when there is room, or the refusal while LevelDB commits fail
     */
    private LogUnavailableException awaitOverlayRoom() throws InterruptedException {
        while (overlay.size() >= policy.maxEntries()) {
            Throwable why = committer.failure();
            if (why != null) {
                return new LogUnavailableException("index overlay full (" + overlay.size() + " entries) and its commit"
                        + " to LevelDB fails: " + why, why);
            }
            if (overlay.sealed() == null) sealIfDue(true);
            else overlay.awaitNoSealed(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return null;
    }

    /** At close: the last generation goes to LevelDB too, so the next open replays nothing. */
    private void sealAtClose() throws InterruptedException {
        if (overlay.active().size == 0) return;
        if (!overlay.awaitNoSealed(TimeUnit.SECONDS.toNanos(30))) {
            LOG.log(Level.WARNING, "index not committed at close (the next open replays the segment files): "
                    + committer.failure());
            return;
        }
        sealIfDue(true);
    }

    /** The writer cannot go on (an Error): every pending and later append fails; one ERROR line. */
    private void die(Throwable t, List<Pending> current) {
        LogUnavailableException e = new LogUnavailableException("log writer thread died (" + t
                + "); the store refuses writes until it is reopened", t);
        List<Pending> pending = new ArrayList<>();
        if (current != null) pending.addAll(current);
        lock.lock();
        try {
            broken = e;
            pending.addAll(queue);
            queue.clear();
            queuedRecords = 0;
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        LOG.log(Level.ERROR, e.getMessage() + "; failing " + pending.size() + " pending append(s)", t);
        for (Pending p : pending) p.done().completeExceptionally(e);
    }

    /** Decides what a failed batch means for the store and returns the stages' failure. */
    private LogUnavailableException failure(Exception e, Segment seg, long base, boolean forcing) {
        String what = (forcing ? "fsync of " : "write to ") + seg + " at offset " + base + " failed: " + e;
        if (!forcing && isDiskFull(e)) what = "disk full: " + what + " (appends fail until space is freed)";
        try {
            seg.channel.truncate(base);
        } catch (IOException t) {
            broken = new LogUnavailableException(what + "; cutting the file back failed too, reopen the store: " + t, e);
        }
        if (forcing && broken == null) {
            // after a failed fsync the kernel may have dropped dirty pages: nothing written since can be trusted
            broken = new LogUnavailableException(what + "; reopen the store", e);
        }
        // one line a minute: a full disk fails every batch until space is freed
        if (broken != null || failedWrites++ == 0 || System.nanoTime() - lastFailureLogNanos > TimeUnit.MINUTES.toNanos(1)) {
            lastFailureLogNanos = System.nanoTime();
            LOG.log(Level.WARNING, what + (failedWrites > 1 ? " (" + failedWrites + " failed batches so far)" : ""));
        }
        return broken != null ? broken : new LogUnavailableException(what, e);
    }

    private static boolean isDiskFull(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("ENOSPC") || m.contains("Disk quota exceeded");
    }

    /** Fails the batch's stages (after the completions of earlier batches, which ran before it was taken). */
    private void fail(List<Pending> batch, LogUnavailableException e) {
        for (Pending p : batch) p.done().completeExceptionally(e);
    }
}
