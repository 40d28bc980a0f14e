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
 * completes the batch's stages itself if there are at most {@value #INLINE_COMPLETIONS_MAX} and the
 * completer is idle, or hands the batch to the completer thread, which completes the stages in queue
 * order while the next batch is written. Either way batches complete in order, on the writer or the
 * completer thread: callers must not block in them. Between batches it seals the overlay for a
 * commit as its {@link CommitPolicy} says (16,384 entries, a second, or idle for a second by default).
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
    /**
     * The writer waits in {@link #take} for a queue that is empty (under the lock). Only then does
     * an append signal it: while it waits for the completer, signalling on every append woke it up
     * once per append (64 wake-ups per batch at 64 writers) just to find the completer still busy.
     */
    private boolean writerAwaitsWork;
    private volatile LogUnavailableException broken;
    private ByteBuffer buffer;
    /** Batches failed in a row by write errors, and when that was last logged (writer thread only). */
    private long failedWrites;
    private long lastFailureLogNanos;
    /** Durable batches waiting for their stages to be completed; bounded, so the writer waits if it runs ahead. */
    private final java.util.concurrent.BlockingQueue<Runnable> completions = new java.util.concurrent.ArrayBlockingQueue<>(1024);
    private static final Runnable END = () -> { };
    /** Appends in a batch that the writer completes itself, when the completer has nothing left to run. */
    static final int INLINE_COMPLETIONS_MAX = 4;
    /** Longest wait of a batch for the completer to finish the previous one. */
    static final int COMPLETER_WAIT_MICROS_MAX = 1000;
    /** Completions handed to the completer and not yet run: the writer completes inline only at 0 (in order). */
    private final java.util.concurrent.atomic.AtomicInteger completerBacklog = new java.util.concurrent.atomic.AtomicInteger();

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
            if (writerAwaitsWork || queuedBytes >= config.batchBytesMax()) notEmpty.signal();
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
                batch = null; // handed to the completer: die() must not fail it
            }
            forceUnsynced();
            sealAtClose();
            putUninterruptibly(END); // tells the completer to end
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
                writerAwaitsWork = true;
                try {
                    if (overlay.active().size == 0) {
                        notEmpty.awaitUninterruptibly();
                    } else {
                        try {
                            if (!notEmpty.await(policy.commitMillis(), TimeUnit.MILLISECONDS) && queue.isEmpty()) return List.of();
                        } catch (InterruptedException e) {
                            // only close() matters here, and it signals
                        }
                    }
                } finally {
                    writerAwaitsWork = false;
                }
            }
            awaitCompleter();
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

    /**
     * While the completer thread still completes the previous batch, the callers it wakes are about
     * to append again: waiting for it (at most {@value #COMPLETER_WAIT_MICROS_MAX} us, under the lock)
     * lets their appends share this batch's fsync instead of each wake-up triggering a small one.
     * Woken by the completer when it has nothing left ({@link #completeLoop}), a full batch's worth
     * of queued bytes, or close; not by every append.
     */
    private void awaitCompleter() {
        long deadline = System.nanoTime() + COMPLETER_WAIT_MICROS_MAX * 1000L;
        while (completerBacklog.get() > 0 && !closing && queuedBytes < config.batchBytesMax()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return;
            try {
                notEmpty.awaitNanos(Math.min(left, 100_000));
            } catch (InterruptedException e) {
                return;
            }
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
        // completing wakes up to one thread per append: a large batch goes to the completer thread, so
        // that the next batch's write and fsync overlap those wake-ups instead of waiting for them. A
        // batch of a few appends (one event loop's Ready, one blocked caller) is completed right here
        // once the completer is idle (so batches still complete in order): handing it over cost a
        // thread hand-off per fsync. Measured (bench storage, 1 writer, back to back, 3 pairs): 0.55-0.69x
        // the 1-record floor through the completer, 0.90-1.07x inline. (Inlining every batch, an earlier
        // try, was slower at 1 writer and no faster at 64.)
        if (batch.size() <= INLINE_COMPLETIONS_MAX && completerBacklog.get() == 0) completeAll(batch);
        else putUninterruptibly(() -> completeAll(batch));
    }

    private static void completeAll(List<Pending> batch) {
        for (Pending p : batch) p.done().complete(null);
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
            try {
                next.run();
            } finally {
                if (completerBacklog.decrementAndGet() == 0) signalWriter();
            }
        }
    }

    /** Wakes the writer if it waits for the completer ({@link #awaitCompleter}); one lock round per batch. */
    private void signalWriter() {
        lock.lock();
        try {
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
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
        // completed here, not by the completer: it may be starved by the same Error
        for (Pending p : pending) p.done().completeExceptionally(e);
        try {
            // bounded: the completer drains the queue unless it died too, and close() must not hang on it
            if (!completions.offer(END, 10, TimeUnit.SECONDS)) LOG.log(Level.ERROR, "the completer thread is stuck as well");
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
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

    private void putUninterruptibly(Runnable completion) {
        if (completion != END) completerBacklog.incrementAndGet();
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
