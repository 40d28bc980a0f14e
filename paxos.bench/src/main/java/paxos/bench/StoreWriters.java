package paxos.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;

/**
 * The writers of {@link StorageBench}'s store runs: each on its own group, appending one Accept at
 * a time for a given time, either as threads that wait for each append or as closed loops that
 * append again from the completion of the last one (no thread per writer, as the engine's group
 * event loops use the store).
 */
final class StoreWriters {
    /** What a run did: records appended, how long it took, each append's latency in microseconds. */
    record Run(long records, long elapsedNanos, Histogram latency) {}

    private StoreWriters() {}

    /** {@code writers} threads, each blocking on its append. */
    static Run threads(LogStore store, byte[] value, int writers, long nanos) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        long[] counts = new long[writers];
        long end = System.nanoTime() + nanos;
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            int group = w;
            Histogram h = new Histogram(60_000_000L, 3);
            histograms.add(h);
            Thread t = new Thread(() -> {
                long instance = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    store.append(List.of(new LogRecord.Accept(group, instance++, 1, value))).toCompletableFuture().join();
                    h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                }
                counts[group] = instance;
            }, "bench-writer-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        long elapsed = System.nanoTime() - start;
        long records = 0;
        for (long c : counts) records += c;
        return new Run(records, elapsed, merged(histograms));
    }

    /** {@code writers} closed loops: each appends again from its last append's completion. */
    static Run async(LogStore store, byte[] value, int writers, long nanos) throws InterruptedException {
        long end = System.nanoTime() + nanos;
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(writers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Loop> loops = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Loop loop = new Loop(store, value, w, end, done, failure);
            loops.add(loop);
            loop.next();
        }
        if (!done.await(TimeUnit.NANOSECONDS.toSeconds(nanos) + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("async writers did not finish");
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) throw new IllegalStateException("an append failed", failure.get());
        long records = 0;
        List<Histogram> histograms = new ArrayList<>();
        for (Loop l : loops) {
            records += l.instance;
            histograms.add(l.latency);
        }
        return new Run(records, elapsed, merged(histograms));
    }

    private static Histogram merged(List<Histogram> histograms) {
        Histogram all = new Histogram(60_000_000L, 3);
        histograms.forEach(all::add);
        return all;
    }

    /** One logical writer; its steps run one after the other (each from the last one's completion). */
    private static final class Loop {
        private final LogStore store;
        private final byte[] value;
        private final int group;
        private final long end;
        private final CountDownLatch done;
        private final AtomicReference<Throwable> failure;
        private final Histogram latency = new Histogram(60_000_000L, 3);
        private long instance;

        Loop(LogStore store, byte[] value, int group, long end, CountDownLatch done, AtomicReference<Throwable> failure) {
            this.store = store;
            this.value = value;
            this.group = group;
            this.end = end;
            this.done = done;
            this.failure = failure;
        }

        void next() {
            long t0 = System.nanoTime();
            CompletableFuture<Void> f = store.append(List.of(new LogRecord.Accept(group, instance, 1, value))).toCompletableFuture();
            f.whenComplete((ok, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                    done.countDown();
                    return;
                }
                instance++;
                long now = System.nanoTime();
                latency.recordValue(Math.max(1, (now - t0) / 1000));
                if (now < end) next();
                else done.countDown();
            });
        }
    }
}
