package paxos.impl.log;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.spi.log.LogUnavailableException;

/**
 * A {@link LogStore} in memory, for engine tests and the simulator: the same contract as the
 * durable store (checked by the same suite), no files, no threads. Appends apply at once and
 * return completed stages. Retention deletes at once (pausing cleaning only delays it until
 * resumed). {@link #reopen()} closes this store and returns a new one over the same contents, as a
 * process restart would see them. Thread-safe (one lock). Values are kept by reference, as the SPI
 * allows; reads return copies.
 */
public final class InMemoryLogStore implements LogStore {
    /** The default value limit, as for the durable store. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 4 << 20;

    private record Held(long ballot, byte[] value, boolean chosen) {}

    /** What survives a reopen. */
    private static final class Contents {
        final Map<Integer, TreeMap<Long, Held>> instances = new HashMap<>();
        final Map<Integer, Long> promises = new HashMap<>();
        final Map<Integer, Long> minRetained = new HashMap<>();
        final Map<Integer, Long> retainRequested = new HashMap<>();
        final Map<Integer, Long> ends = new HashMap<>();
        final Map<Integer, Map<String, byte[]>> metas = new HashMap<>();
    }

    private final Contents contents;
    private final int maxValueBytes;
    private boolean closed;
    private boolean cleaningPaused;
    private long recordsAppended;
    private long bytesWritten;

    /** A store with {@link #DEFAULT_MAX_VALUE_BYTES}. */
    public InMemoryLogStore() {
        this(DEFAULT_MAX_VALUE_BYTES);
    }

    /** @param maxValueBytes largest value of one record, {@code >= 1} */
    public InMemoryLogStore(int maxValueBytes) {
        this(new Contents(), maxValueBytes);
    }

    private InMemoryLogStore(Contents contents, int maxValueBytes) {
        if (maxValueBytes < 1) throw new IllegalArgumentException("maxValueBytes must be >= 1: " + maxValueBytes);
        this.contents = contents;
        this.maxValueBytes = maxValueBytes;
    }

    /** Closes this store and returns a new one holding what this one held (a simulated restart). */
    public InMemoryLogStore reopen() {
        close();
        synchronized (contents) {
            return new InMemoryLogStore(contents, maxValueBytes);
        }
    }

    @Override
    public CompletionStage<Void> append(List<LogRecord> records) {
        for (LogRecord r : records) validate(Objects.requireNonNull(r, "record"));
        synchronized (contents) {
            if (closed) return CompletableFuture.failedFuture(new LogUnavailableException("store is closed"));
            for (LogRecord r : records) apply(r);
            recordsAppended += records.size();
        }
        return CompletableFuture.completedFuture(null);
    }

    private void validate(LogRecord r) {
        if (r.group() < 0) throw new IllegalArgumentException("group must be >= 0: " + r);
        long instance = r instanceof LogRecord.Accept a ? a.instance() : r instanceof LogRecord.Chosen c ? c.instance() : 0;
        byte[] value = r instanceof LogRecord.Accept a ? a.value() : r instanceof LogRecord.Chosen c ? c.value() : null;
        if (instance < 0) throw new IllegalArgumentException("instance must be >= 0: " + r);
        if (value != null && value.length > maxValueBytes) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds maxValueBytes " + maxValueBytes);
        }
    }

    private void apply(LogRecord r) {
        int g = r.group();
        if (r instanceof LogRecord.Promise p) {
            contents.promises.merge(g, p.ballot(), Math::max);
        } else if (r instanceof LogRecord.Meta m) {
            Map<String, byte[]> metas = contents.metas.computeIfAbsent(g, k -> new HashMap<>());
            if (m.value().length == 0) metas.remove(m.key());
            else metas.put(m.key(), m.value());
            bytesWritten += m.value().length;
        } else if (r instanceof LogRecord.Accept a) {
            put(g, a.instance(), new Held(a.ballot(), a.value(), false));
        } else if (r instanceof LogRecord.Chosen c) {
            put(g, c.instance(), new Held(c.ballot(), c.value(), true));
        }
    }

    private void put(int group, long instance, Held held) {
        if (instance < minRetained(group)) return;
        TreeMap<Long, Held> map = contents.instances.computeIfAbsent(group, k -> new TreeMap<>());
        Held old = map.get(instance);
        if (old != null && old.chosen()) return; // chosen is final
        map.put(instance, held);
        contents.ends.merge(group, instance + 1, Math::max);
        bytesWritten += held.value().length;
    }

    @Override
    public Optional<InstanceRecord> read(int group, long instance) {
        synchronized (contents) {
            checkReadable(group, instance);
            Held h = contents.instances.getOrDefault(group, new TreeMap<>()).get(instance);
            return Optional.ofNullable(h == null ? null : toRecord(group, instance, h));
        }
    }

    @Override
    public List<InstanceRecord> readRange(int group, long from, long to, int maxCount) {
        synchronized (contents) {
            checkReadable(group, from);
            List<InstanceRecord> out = new ArrayList<>();
            if (from >= to || maxCount <= 0) return out;
            for (var e : contents.instances.getOrDefault(group, new TreeMap<>()).subMap(from, to).entrySet()) {
                if (out.size() >= maxCount) break;
                out.add(toRecord(group, e.getKey(), e.getValue()));
            }
            return out;
        }
    }

    private static InstanceRecord toRecord(int group, long instance, Held h) {
        return new InstanceRecord(group, instance, h.ballot(), h.value().clone(), h.chosen());
    }

    @Override
    public long promisedBallot(int group) {
        synchronized (contents) {
            checkOpen();
            return contents.promises.getOrDefault(group, 0L);
        }
    }

    @Override
    public Optional<byte[]> meta(int group, String key) {
        synchronized (contents) {
            checkOpen();
            byte[] v = contents.metas.getOrDefault(group, Map.of()).get(key);
            return Optional.ofNullable(v == null ? null : v.clone());
        }
    }

    @Override
    public LogRange range(int group) {
        synchronized (contents) {
            checkOpen();
            long min = minRetained(group);
            return new LogRange(min, Math.max(min, contents.ends.getOrDefault(group, 0L)));
        }
    }

    @Override
    public void retainFrom(int group, long minInstance) {
        if (group < 0 || minInstance < 0) throw new IllegalArgumentException("group and instance must be >= 0");
        synchronized (contents) {
            checkOpen();
            contents.retainRequested.merge(group, minInstance, Math::max);
            if (!cleaningPaused) clean();
        }
    }

    /** Deletes below every requested retention point; caller holds the lock. */
    private void clean() {
        contents.retainRequested.forEach((g, min) -> {
            if (min > minRetained(g)) {
                contents.minRetained.put(g, min);
                TreeMap<Long, Held> map = contents.instances.get(g);
                if (map != null) map.headMap(min).clear();
            }
        });
    }

    private long minRetained(int group) {
        return contents.minRetained.getOrDefault(group, 0L);
    }

    @Override
    public void pauseCleaning() {
        synchronized (contents) {
            cleaningPaused = true;
        }
    }

    @Override
    public void resumeCleaning() {
        synchronized (contents) {
            cleaningPaused = false;
            clean();
        }
    }

    @Override
    public int maxValueBytes() {
        return maxValueBytes;
    }

    @Override
    public LogStoreStats stats() {
        synchronized (contents) {
            return new LogStoreStats(recordsAppended, 0, bytesWritten, 0, 0);
        }
    }

    @Override
    public void close() {
        synchronized (contents) {
            closed = true;
        }
    }

    private void checkOpen() {
        if (closed) throw new LogUnavailableException("store is closed");
    }

    private void checkReadable(int group, long instance) {
        checkOpen();
        long min = minRetained(group);
        if (instance < min) {
            throw new LogCompactedException("group " + group + " instance " + instance + " is below the minimum retained " + min);
        }
    }
}
