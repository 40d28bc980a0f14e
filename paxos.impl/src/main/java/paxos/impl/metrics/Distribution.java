package paxos.impl.metrics;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Values recorded from any thread (a latency in nanoseconds, a batch size) and read as a
 * Prometheus summary: {@code _count} and {@code _sum} since start, quantiles over about the last
 * {@link #WINDOW_NANOS} (at least the values since the previous scrape: the window advances when it
 * is read).
 *
 * <p>Recording is wait-free (HdrHistogram {@link Recorder}, auto-resizing); {@link #snapshot} is
 * synchronized. Memory is bounded: at most {@link #SLICES_MAX} interval histograms are kept, each
 * at 2 significant digits (1 % resolution: a few KB for latencies up to seconds, ~30 KB at most
 * for nanoseconds up to a minute; 3 digits would be eight times that, per group).
 */
public final class Distribution {
    /** Quantiles cover the values recorded in about this long before the scrape. */
    static final long WINDOW_NANOS = 60_000_000_000L;
    /** A scrape sooner than this after the previous one merges into the newest slice. */
    private static final long SLICE_NANOS_MIN = 10_000_000_000L;
    private static final int DIGITS = 2;
    private static final int SLICES_MAX = (int) (WINDOW_NANOS / SLICE_NANOS_MIN) + 1;
    /** The quantiles reported, in this order. */
    public static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999, 1.0};

    private record Slice(long startNanos, Histogram histogram) {}

    /** One read: {@code quantileValues[i]} belongs to {@link #QUANTILES}{@code [i]}; NaN when the window is empty. */
    public record Snapshot(long count, double sum, double[] quantileValues, long windowCount) {}

    private final Recorder recorder = new Recorder(DIGITS);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final ArrayDeque<Slice> slices = new ArrayDeque<>();

    /** Records one value; negative values count as 0. Any thread, never blocks. */
    public void record(long value) {
        long v = Math.max(0, value);
        recorder.recordValue(v);
        count.increment();
        sum.add(v);
    }

    /**
     * Count and sum since start, quantiles over the window ending now, each multiplied by
     * {@code scale} (1e-9 turns nanoseconds into seconds).
     */
    public synchronized Snapshot snapshot(long nowNanos, double scale) {
        Histogram interval = recorder.getIntervalHistogram();
        Slice newest = slices.peekLast();
        if (interval.getTotalCount() == 0) {
            // nothing new: keep no empty slice
        } else if (newest != null && nowNanos - newest.startNanos() < SLICE_NANOS_MIN) {
            newest.histogram().add(interval);
        } else {
            slices.addLast(new Slice(nowNanos, interval));
        }
        while (!slices.isEmpty() && (slices.size() > SLICES_MAX || nowNanos - slices.peekFirst().startNanos() > WINDOW_NANOS)) slices.removeFirst();
        Histogram window = new Histogram(DIGITS);
        for (Slice s : slices) window.add(s.histogram());
        double[] q = new double[QUANTILES.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = window.getTotalCount() == 0 ? Double.NaN
                    : (QUANTILES[i] >= 1.0 ? window.getMaxValue() : window.getValueAtPercentile(100 * QUANTILES[i])) * scale;
        }
        return new Snapshot(count.sum(), sum.sum() * scale, q, window.getTotalCount());
    }
}
