package paxos.storage.leveldb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogCorruptException;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.spi.log.LogUnavailableException;
import paxos.api.spi.log.SyncPolicy;

/**
 * The durable {@link LogStore}: records go to append-only segment files ({@code *.seg}) in the data
 * directory, one writer thread appends and fsyncs them in groups (group commit across groups), and
 * an index maps (group, instance) to the record's file and offset: an in-memory overlay of recent
 * changes over an iq80 LevelDB in {@code index/}, which a background thread updates in bulk.
 * See {@link LogStore} for the contract and the README's "Storage" section for the layout.
 *
 * <p>Created with {@code new LevelDbLogStore(config)}, which opens (and if needed recovers) the
 * directory, and fails with {@link LogUnavailableException} naming the directory when it is
 * missing, not writable, or held by another store (a {@code LOCK} file with an OS lock).
 * Reads verify each record's CRC; a mismatch fails the group's reads with
 * {@link LogCorruptException} naming file and offset, while other groups keep working. Threads:
 * one writer ({@code paxos-log-writer}) writes, syncs and completes the append stages, one indexer
 * ({@code paxos-log-indexer}) commits the overlay to LevelDB; one cleaner
 * ({@code paxos-log-cleaner}) deletes retained-away files. Thread-safe.
 */
public final class LevelDbLogStore implements LogStore {
    private static final System.Logger LOG = System.getLogger(LevelDbLogStore.class.getName());

    private final LevelDbStoreConfig config;
    private final DirectoryLock lock;
    private final Index index;
    private final Segments segments;
    private final Map<Integer, GroupState> states = new ConcurrentHashMap<>();
    private final Map<Integer, String> corrupt = new ConcurrentHashMap<>();
    private final Map<Integer, Long> requestedRetention = new ConcurrentHashMap<>();
    private final Stats stats = new Stats();
    private final GroupCommitWriter writer;
    private final Cleaner cleaner;
    private final Thread writerThread;
    private final Thread cleanerThread;
    private final IndexCommitter committer;
    private final Thread committerThread;
    private volatile boolean closed;

    /**
     * Opens the store: locks the directory, opens the index, re-scans the files the index does not
     * cover yet (truncating a torn tail), and starts the writer and cleaner threads.
     *
     * @throws LogUnavailableException if the directory is missing, not a writable directory, in
     *     use, or cannot be read
     */
    public LevelDbLogStore(LevelDbStoreConfig config) {
        this(config, IoHook.NONE, CommitPolicy.DEFAULT);
    }

    /** The same with a fault-injection hook and another index commit policy (tests in this package). */
    LevelDbLogStore(LevelDbStoreConfig config, IoHook hook, CommitPolicy policy) {
        this.config = Objects.requireNonNull(config, "config");
        Path dir = prepareDirectory(config);
        this.lock = DirectoryLock.acquire(dir);
        Index idx = null;
        Segments segs = null;
        try {
            idx = openIndex(dir.resolve("index"), config.indexCacheBytes());
            segs = Segments.open(dir);
            Recovery recovery = new Recovery(segs, idx, states, corrupt, config.maxValueBytes());
            recovery.run();
            if (segs.newest() == null || recovery.newestSegmentDamaged) segs.createNext();
            // a watermark from the start, so that a store closed or killed before its first commit reopens quietly
            if (idx.watermark() == null) idx.commitNow(segs.newest().id, segs.newest().size, states);
        } catch (IOException | RuntimeException e) {
            closeQuietly(idx, segs);
            lock.close();
            throw new LogUnavailableException("cannot open the log in " + dir + ": " + e, e);
        }
        this.index = idx;
        this.segments = segs;
        if (config.syncPolicy() == SyncPolicy.NONE) {
            LOG.log(Level.WARNING, "!!! log store " + dir + " opened with SyncPolicy.NONE: acknowledged writes are LOST"
                    + " on a machine crash and Paxos safety can break. Use it for tests and benchmarks only. !!!");
        }
        this.committer = new IndexCommitter(index, stats);
        this.writer = new GroupCommitWriter(config, segments, index, committer, states, stats, hook, policy);
        this.cleaner = new Cleaner(segments, index, states, requestedRetention, writer, stats, config.cleanerIntervalMillis());
        this.writerThread = new Thread(writer, "paxos-log-writer");
        this.cleanerThread = new Thread(cleaner, "paxos-log-cleaner");
        this.committerThread = new Thread(committer, "paxos-log-indexer");
        committerThread.setDaemon(true);
        committerThread.start();
        writerThread.setDaemon(true);
        cleanerThread.setDaemon(true);
        writerThread.start();
        cleanerThread.start();
    }

    private static Path prepareDirectory(LevelDbStoreConfig config) {
        Path dir = config.dataDirectory().toAbsolutePath();
        if (!Files.exists(dir)) {
            if (!config.createDirectory()) {
                throw new LogUnavailableException("data directory " + dir + " does not exist; create it, or set"
                        + " createDirectory for a new node (an existing node must never start from an empty log)");
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new LogUnavailableException("cannot create data directory " + dir + ": " + e, e);
            }
        }
        if (!Files.isDirectory(dir)) throw new LogUnavailableException("data directory " + dir + " is not a directory");
        if (!Files.isWritable(dir)) throw new LogUnavailableException("data directory " + dir + " is not writable");
        return dir;
    }

    private static Index openIndex(Path dir, long cacheBytes) throws IOException {
        try {
            return new Index(dir, cacheBytes);
        } catch (IOException | RuntimeException e) {
            // the index is rebuildable from the segment files: start it afresh
            LOG.log(Level.WARNING, "index " + dir + " cannot be opened (" + e + "); rebuilding it");
            deleteTree(dir);
            return new Index(dir, cacheBytes);
        }
    }

    @Override
    public CompletionStage<Void> append(List<LogRecord> records) {
        return append(records, true);
    }

    @Override
    public CompletionStage<Void> appendUnsynced(List<LogRecord> records) {
        return append(records, false);
    }

    private CompletionStage<Void> append(List<LogRecord> records, boolean sync) {
        List<Op> ops = new ArrayList<>(records.size());
        for (LogRecord r : records) ops.add(Op.of(Objects.requireNonNull(r, "record"), config.maxValueBytes()));
        if (closed) return CompletableFuture.failedFuture(new LogUnavailableException("store is closed"));
        CompletableFuture<Void> done = writer.submit(ops, List.of(), true, sync);
        if (!done.isCompletedExceptionally()) stats.recordsAppended.addAndGet(ops.size());
        return done;
    }

    @Override
    public Optional<InstanceRecord> read(int group, long instance) {
        checkReadable(group, instance);
        IndexEntry entry = index.entry(group, instance);
        return entry == null ? Optional.empty() : Optional.of(load(group, instance, entry));
    }

    @Override
    public List<InstanceRecord> readRange(int group, long from, long to, int maxCount) {
        checkReadable(group, from);
        List<InstanceRecord> out = new ArrayList<>();
        for (Map.Entry<Long, IndexEntry> e : index.entries(group, from, to, maxCount)) {
            out.add(load(group, e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public long promisedBallot(int group) {
        checkGroup(group);
        return states.getOrDefault(group, GroupState.EMPTY).promise();
    }

    @Override
    public Optional<byte[]> meta(int group, String key) {
        checkGroup(group);
        return Optional.ofNullable(index.meta(group, key));
    }

    @Override
    public LogRange range(int group) {
        checkGroup(group);
        GroupState s = states.getOrDefault(group, GroupState.EMPTY);
        long min = minRetained(group);
        return new LogRange(min, Math.max(min, s.end()));
    }

    @Override
    public void retainFrom(int group, long minInstance) {
        checkOpen();
        if (group < 0 || minInstance < 0) throw new IllegalArgumentException("group and instance must be >= 0");
        requestedRetention.merge(group, minInstance, Math::max);
        cleaner.wake();
    }

    @Override
    public void pauseCleaning() {
        cleaner.pause(true);
    }

    @Override
    public void resumeCleaning() {
        cleaner.pause(false);
    }

    @Override
    public int maxValueBytes() {
        return config.maxValueBytes();
    }

    @Override
    public LogStoreStats stats() {
        return stats.snapshot();
    }

    @Override
    public void observeSyncs(paxos.api.spi.log.SyncObserver observer) {
        stats.syncObserver = observer;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        cleaner.stop();
        join(cleanerThread);
        try {
            cleaner.persistRetention();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "retention points not persisted at close: " + e);
        }
        writer.close();
        join(writerThread); // it seals the last overlay generation
        committer.stop();
        join(committerThread); // it commits that generation to LevelDB
        closeQuietly(index, segments);
        lock.close();
    }

    private long minRetained(int group) {
        long durable = states.getOrDefault(group, GroupState.EMPTY).minRetained();
        return Math.max(durable, requestedRetention.getOrDefault(group, 0L));
    }

    private void checkOpen() {
        if (closed) throw new LogUnavailableException("store is closed");
    }

    private void checkGroup(int group) {
        checkOpen();
        String why = corrupt.get(group);
        if (why != null) throw new LogCorruptException("group " + group + " is corrupt: " + why);
    }

    private void checkReadable(int group, long instance) {
        checkGroup(group);
        long min = minRetained(group);
        if (instance < min) {
            throw new LogCompactedException("group " + group + " instance " + instance + " is below the minimum retained " + min);
        }
    }

    private InstanceRecord load(int group, long instance, IndexEntry entry) {
        Segment seg = segments.get(entry.segment());
        ByteBuffer record;
        try {
            if (seg == null) throw new ClosedChannelException();
            if (entry.length() >= SPLIT_READ_BYTES) return loadSplit(group, instance, entry, seg);
            record = seg.read(entry.offset(), entry.length());
        } catch (IOException e) {
            checkReadable(group, instance); // deleted by retention meanwhile: compacted
            if (closed) throw new LogUnavailableException("store is closed");
            if (seg == null) throw corruptAt(group, "index points to missing segment " + entry.segment(), instance);
            throw new LogUnavailableException("cannot read " + seg + " at offset " + entry.offset() + ": " + e, e);
        }
        int crc = RecordFormat.crc(record, 0, entry.length());
        Op op = crc == RecordFormat.storedCrc(record) ? RecordFormat.decode(record, true) : null;
        if (op == null || op.group() != group || op.instance() != instance
                || (op.type() != RecordType.ACCEPT && op.type() != RecordType.CHOSEN)) {
            throw corruptAt(group, "record at " + seg + " offset " + entry.offset() + " fails its checksum", instance);
        }
        return new InstanceRecord(group, instance, op.ballot(), op.value(), entry.chosen());
    }

    /**
     * Records at least this long are read in two parts, the value straight into its own array.
     * Why: reading the whole record into a buffer and copying the value out allocated (and
     * zeroed) every large value twice; catch-up reads of 1-2 MiB values spent more time so than
     * reading. Smaller records keep the single read (one system call).
     */
    static final int SPLIT_READ_BYTES = 64 << 10;

    /** {@link #load} of a large record: header and ballot, then the value into the array returned. */
    private InstanceRecord loadSplit(int group, long instance, IndexEntry entry, Segment seg) throws IOException {
        int prefix = RecordFormat.HEADER_BYTES + Long.BYTES;
        ByteBuffer head = seg.read(entry.offset(), prefix);
        byte[] value = new byte[entry.length() - prefix];
        seg.readFully(ByteBuffer.wrap(value), entry.offset() + prefix);
        RecordType type = RecordType.of(head.get(16));
        boolean intact = RecordFormat.payloadLength(head) == entry.length() - RecordFormat.HEADER_BYTES
                && RecordFormat.crc(head, value) == RecordFormat.storedCrc(head)
                && head.getInt(4) == group && head.getLong(8) == instance
                && (type == RecordType.ACCEPT || type == RecordType.CHOSEN);
        if (!intact) throw corruptAt(group, "record at " + seg + " offset " + entry.offset() + " fails its checksum", instance);
        return new InstanceRecord(group, instance, head.getLong(RecordFormat.HEADER_BYTES), value, entry.chosen());
    }

    private LogCorruptException corruptAt(int group, String what, long instance) {
        String message = what + " (group " + group + ", instance " + instance + ")";
        if (corrupt.putIfAbsent(group, message) == null) {
            LOG.log(Level.ERROR, "group " + group + " is corrupt: " + message);
            try {
                index.putCorruptMark(group, message);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "corruption mark of group " + group + " not persisted: " + e);
            }
        }
        return new LogCorruptException("group " + group + " is corrupt: " + message);
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static void closeQuietly(Index idx, Segments segs) {
        if (segs != null) segs.close();
        if (idx != null) {
            try {
                idx.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing the index failed: " + e);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
