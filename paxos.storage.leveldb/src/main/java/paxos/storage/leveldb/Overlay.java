package paxos.storage.leveldb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The index changes that are durable in the segment files but not yet in LevelDB: the writer
 * publishes each batch's changes here right after its fsync (no LevelDB work on the fsync path),
 * and {@link IndexCommitter} writes them to LevelDB in bulk later. Two generations: the
 * {@code active} one the writer adds to, and at most one {@code sealed} one being committed, which
 * carries the segment position it reflects (the LevelDB watermark once committed) and the group
 * states at that position.
 *
 * <p>Readers look at the active generation, then the sealed one, then LevelDB, in that order: a
 * generation is sealed (made {@code sealed}, then replaced as {@code active}) before it is
 * committed, and dropped only after LevelDB holds it, so a reader that misses it in one place
 * finds it in the next. Newer wins: active over sealed over LevelDB. One writer thread; any number
 * of readers.
 */
final class Overlay {
    /** One generation of index changes; mutated by the writer only while active. */
    static final class Generation {
        final Map<Integer, ConcurrentSkipListMap<Long, IndexEntry>> entries = new ConcurrentHashMap<>();
        /** Meta values by group and key; an empty value is a deletion. */
        final Map<Integer, Map<String, byte[]>> metas = new ConcurrentHashMap<>();
        final long createdNanos = System.nanoTime();
        volatile int size;
        long segment;
        long offset;
        Map<Integer, GroupState> states;

        IndexEntry entry(int group, long instance) {
            ConcurrentSkipListMap<Long, IndexEntry> m = entries.get(group);
            return m == null ? null : m.get(instance);
        }

        byte[] meta(int group, String key) {
            Map<String, byte[]> m = metas.get(group);
            return m == null ? null : m.get(key);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile Generation active = new Generation();
    private volatile Generation sealed;
    private boolean stopped;

    Generation active() {
        return active;
    }

    Generation sealed() {
        return sealed;
    }

    /** Entries held by the overlay (both generations), the figure its bound is about. */
    int size() {
        Generation s = sealed;
        return active.size + (s == null ? 0 : s.size);
    }

    void putEntry(int group, long instance, IndexEntry entry) {
        Generation a = active;
        if (a.entries.computeIfAbsent(group, g -> new ConcurrentSkipListMap<>()).put(instance, entry) == null) a.size++;
    }

    void putMeta(int group, String key, byte[] value) {
        Generation a = active;
        if (a.metas.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).put(key, value) == null) a.size++;
    }

    /** The newest overlay entry, or {@code null} when LevelDB must be asked. */
    IndexEntry entry(int group, long instance) {
        Generation a = active;
        Generation s = sealed;
        IndexEntry e = a.entry(group, instance);
        if (e == null && s != null) e = s.entry(group, instance);
        return e;
    }

    /** The newest overlay value ({@code byte[0]} = deleted), or {@code null} when LevelDB must be asked. */
    byte[] meta(int group, String key) {
        Generation a = active;
        Generation s = sealed;
        byte[] v = a.meta(group, key);
        if (v == null && s != null) v = s.meta(group, key);
        return v;
    }

    /** The generations to consult, newest first (read them in this order, then LevelDB). */
    List<Generation> newestFirst() {
        List<Generation> out = new ArrayList<>(2);
        out.add(active);
        Generation s = sealed;
        if (s != null) out.add(s);
        return out;
    }

    /**
     * Seals the active generation at a segment position (writer thread, between batches) if no
     * other generation is being committed.
     *
     * @return the sealed generation, or {@code null} if one is still being committed
     */
    Generation seal(long segment, long offset, Map<Integer, GroupState> states) {
        lock.lock();
        try {
            if (sealed != null) return null;
            Generation g = active;
            g.segment = segment;
            g.offset = offset;
            g.states = states;
            sealed = g; // first sealed, then replaced: a reader never misses it
            active = new Generation();
            changed.signalAll();
            return g;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the sealed generation once LevelDB holds it. */
    void committed(Generation g) {
        lock.lock();
        try {
            if (sealed == g) sealed = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} for a sealed generation to commit; true if none is left. */
    boolean awaitNoSealed(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (sealed != null) {
                if (nanos <= 0) return false;
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code millis} for a sealed generation to appear (the committer's wait); after
     * {@link #stop()} it does not wait.
     */
    Generation awaitSealed(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (sealed == null && !stopped && nanos > 0) nanos = changed.awaitNanos(nanos);
            return sealed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code millis} for any seal, commit or wake-up. */
    void awaitChange(long millis) throws InterruptedException {
        lock.lock();
        try {
            if (!stopped) changed.await(millis, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    boolean stopped() {
        lock.lock();
        try {
            return stopped;
        } finally {
            lock.unlock();
        }
    }

    /** Tells the committer to end once nothing is sealed (closing). */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
