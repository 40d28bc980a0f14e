package paxos.storage.leveldb;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The background thread of retention. Each round it (1) makes requested retention points durable
 * (RETAIN records through the writer), (2) drops index entries below them, and (3) unless paused,
 * deletes the oldest segment files all of whose records are below their groups' retention points.
 * Files are deleted oldest first only, once the index's committed watermark lies beyond them, and before they go the current promise, retention point
 * and metadata of every group with such state records in them is re-written to the newest
 * segment, so that a rebuild from the remaining files still finds it. Never blocks appends: it
 * only queues writes like any caller.
 */
final class Cleaner implements Runnable {
    private static final System.Logger LOG = System.getLogger(Cleaner.class.getName());

    private final Segments segments;
    private final Index index;
    private final Map<Integer, GroupState> states;
    private final Map<Integer, Long> requested;
    private final GroupCommitWriter writer;
    private final Stats stats;
    private final long intervalMillis;
    private final Map<Integer, Long> prunedBelow = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean stopped;
    private volatile boolean paused;
    private long lastErrorLogNanos;

    Cleaner(Segments segments, Index index, Map<Integer, GroupState> states, Map<Integer, Long> requested,
            GroupCommitWriter writer, Stats stats, long intervalMillis) {
        this.segments = segments;
        this.index = index;
        this.states = states;
        this.requested = requested;
        this.writer = writer;
        this.stats = stats;
        this.intervalMillis = intervalMillis;
    }

    void pause(boolean pause) {
        paused = pause;
        wake();
    }

    void wake() {
        lock.lock();
        try {
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    void stop() {
        lock.lock();
        try {
            stopped = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void run() {
        while (true) {
            lock.lock();
            try {
                if (stopped) return;
                wake.await(intervalMillis, TimeUnit.MILLISECONDS);
                if (stopped) return;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                round();
            } catch (RuntimeException | java.io.IOException e) {
                // rate-limited: a persistent failure must not flood the log
                if (System.nanoTime() - lastErrorLogNanos > TimeUnit.MINUTES.toNanos(1)) {
                    lastErrorLogNanos = System.nanoTime();
                    LOG.log(Level.WARNING, "retention round failed (will retry): " + e);
                }
            }
        }
    }

    /** One round; also called by close() to make retention points durable. */
    void persistRetention() {
        List<Op> retains = new ArrayList<>();
        requested.forEach((g, min) -> {
            if (min > states.getOrDefault(g, GroupState.EMPTY).minRetained()) retains.add(Op.retain(g, min));
        });
        if (!retains.isEmpty()) writer.submit(retains, List.of(), false).join();
    }

    private void round() throws java.io.IOException {
        persistRetention();
        // only what LevelDB holds is pruned: an entry still in the overlay below its group's
        // retention point is dropped by the commit itself (Index.commit skips it)
        for (Map.Entry<Integer, GroupState> e : index.committedStates().entrySet()) {
            long min = e.getValue().minRetained();
            long from = prunedBelow.getOrDefault(e.getKey(), 0L);
            if (min > from) {
                index.deleteEntries(e.getKey(), from, min);
                prunedBelow.put(e.getKey(), min);
            }
        }
        if (paused) return;
        List<Segment> prefix = deletablePrefix();
        if (prefix.isEmpty()) return;
        Set<Integer> restate = new LinkedHashSet<>();
        for (Segment s : prefix) restate.addAll(s.summary.stateGroups);
        if (!restate.isEmpty()) writer.submit(List.of(), new ArrayList<>(restate), false).join();
        for (Segment s : prefix) {
            if (paused) return;
            long bytes = s.size;
            segments.delete(s);
            index.deleteSummary(s.id);
            stats.bytesDeleted.addAndGet(bytes);
        }
        LOG.log(Level.DEBUG, "retention deleted " + prefix.size() + " segment file(s)");
    }

    private List<Segment> deletablePrefix() {
        List<Segment> all = segments.all();
        List<Segment> prefix = new ArrayList<>();
        for (int i = 0; i < all.size() - 1; i++) { // never the newest: it is being appended to
            Segment s = all.get(i);
            // a file the LevelDB watermark has not passed is still needed to rebuild the overlay after a crash
            if (s.id >= index.committedSegment()) break;
            boolean below = s.summary.maxInstanceByGroup.entrySet().stream()
                    .allMatch(e -> e.getValue() < states.getOrDefault(e.getKey(), GroupState.EMPTY).minRetained());
            if (!below) break;
            prefix.add(s);
        }
        return prefix;
    }
}
