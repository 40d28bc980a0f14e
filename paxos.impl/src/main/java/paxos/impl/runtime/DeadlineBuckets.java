package paxos.impl.runtime;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Coalesced timeouts: an ID goes into the bucket of its deadline (rounded up to
 * {@value #BUCKET_MILLIS} ms on the runtime's clock), and one timer per bucket hands every ID of it
 * to {@code expired}, which skips the ones no longer waiting. Why: one timer per waiting caller
 * cost a heap entry holding its future (kept alive for the whole timeout after it completed) and,
 * on the common pool of a 2-core machine, a new thread per expiry. An ID expires up to one bucket
 * late, never early. A bucket holds only IDs and lives until its deadline.
 *
 * <p><b>Threads.</b> Any thread; {@code expired} runs on the clock's timer thread.
 */
final class DeadlineBuckets {
    static final long BUCKET_MILLIS = 50;
    private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(BUCKET_MILLIS);

    private final RuntimeClock clock;
    private final LongConsumer expired;
    /** IDs by deadline bucket ({@code ceil(deadline / BUCKET_NANOS)}), each with one timer. */
    private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

    /** IDs whose deadline falls into one bucket; closed once its timer ran. */
    private static final class Bucket {
        private long[] ids = new long[16];
        private int size;
        private boolean closed;

        /** False if the timer already ran (the caller takes a fresh bucket). */
        synchronized boolean add(long id) {
            if (closed) return false;
            if (size == ids.length) ids = java.util.Arrays.copyOf(ids, size * 2);
            ids[size++] = id;
            return true;
        }

        synchronized long[] close() {
            closed = true;
            return java.util.Arrays.copyOf(ids, size);
        }
    }

    DeadlineBuckets(RuntimeClock clock, LongConsumer expired) {
        this.clock = clock;
        this.expired = expired;
    }

    /** Hands {@code id} to {@code expired} once {@code timeoutMillis} passed from now. */
    void expireAfter(long timeoutMillis, long id) {
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long index = -Math.floorDiv(-deadline, BUCKET_NANOS); // ceil: the bucket's time is never before the deadline
        while (true) {
            Bucket b = buckets.get(index);
            if (b == null) {
                Bucket fresh = new Bucket();
                b = buckets.putIfAbsent(index, fresh);
                if (b == null) {
                    b = fresh; // in the map before its timer exists, so the timer always finds it
                    clock.schedule(Math.max(0, index * BUCKET_NANOS - clock.nanoTime()), () -> expire(index));
                }
            }
            if (b.add(id)) return;
            // its timer ran (and removed it) meanwhile: the next turn makes a fresh one that fires at once
        }
    }

    private void expire(long index) {
        Bucket b = buckets.remove(index);
        if (b == null) return;
        for (long id : b.close()) expired.accept(id);
    }
}
