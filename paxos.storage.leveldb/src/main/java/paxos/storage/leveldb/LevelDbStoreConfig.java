package paxos.storage.leveldb;

import java.nio.file.Path;
import java.util.Objects;
import paxos.api.spi.log.SyncPolicy;

/**
 * Configuration of a {@link LevelDbLogStore}; immutable, validated on construction (nonsense is
 * rejected with an {@link IllegalArgumentException} naming the field). Start from
 * {@link #defaults(Path)} and change fields with the {@code with...} methods.
 *
 * @param dataDirectory where the segment files, the {@code index/} LevelDB and the {@code LOCK}
 *     file live; one store per directory
 * @param createDirectory create {@code dataDirectory} if it is missing. Off by default: an
 *     acceptor that silently starts from an empty log (a typo in the path, an unmounted disk)
 *     forgets its promises and can break Paxos safety
 * @param syncPolicy {@link SyncPolicy#SYNC} (default) or {@link SyncPolicy#NONE} (tests only)
 * @param maxValueBytes largest value of one Accept or Chosen record, 1 .. 64 MiB
 * @param segmentBytes a segment file is closed and a new one started once it reaches this size,
 *     64 KiB .. 1 GiB (tests may go down to 4 KiB); retention deletes whole segments
 * @param writeQueueRecordsMax records waiting for the writer; beyond it appends fail at once
 * @param writeQueueBytesMax bytes waiting for the writer; at least {@code maxValueBytes + 4 KiB}
 * @param batchBytesMax bytes the writer gathers into one write and one fsync (one append call is
 *     never split, so a batch can exceed it by one call)
 * @param indexCacheBytes LevelDB block cache, 1 MiB .. 1 GiB
 * @param cleanerIntervalMillis how often the background cleaner looks for deletable segments
 */
public record LevelDbStoreConfig(
        Path dataDirectory,
        boolean createDirectory,
        SyncPolicy syncPolicy,
        int maxValueBytes,
        long segmentBytes,
        int writeQueueRecordsMax,
        long writeQueueBytesMax,
        int batchBytesMax,
        long indexCacheBytes,
        long cleanerIntervalMillis) {

    private static final int MIB = 1 << 20;

    /** Validates every field. */
    public LevelDbStoreConfig {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        require(maxValueBytes >= 1 && maxValueBytes <= 64 * MIB, "maxValueBytes must be 1..64 MiB: " + maxValueBytes);
        require(segmentBytes >= 4096 && segmentBytes <= 1024L * MIB, "segmentBytes must be 4 KiB..1 GiB: " + segmentBytes);
        require(writeQueueRecordsMax >= 1 && writeQueueRecordsMax <= 10_000_000,
                "writeQueueRecordsMax must be 1..10,000,000: " + writeQueueRecordsMax);
        require(writeQueueBytesMax >= maxValueBytes + 4096L && writeQueueBytesMax <= 4096L * MIB,
                "writeQueueBytesMax must be at least maxValueBytes + 4 KiB and at most 4 GiB: " + writeQueueBytesMax);
        require(batchBytesMax >= 4096 && batchBytesMax <= 64 * MIB, "batchBytesMax must be 4 KiB..64 MiB: " + batchBytesMax);
        require(indexCacheBytes >= MIB && indexCacheBytes <= 1024L * MIB, "indexCacheBytes must be 1 MiB..1 GiB: " + indexCacheBytes);
        require(cleanerIntervalMillis >= 10 && cleanerIntervalMillis <= 3_600_000,
                "cleanerIntervalMillis must be 10..3,600,000: " + cleanerIntervalMillis);
    }

    /** Sane defaults for a production node: SYNC, 4 MiB values, 64 MiB segments. */
    public static LevelDbStoreConfig defaults(Path dataDirectory) {
        return new LevelDbStoreConfig(dataDirectory, false, SyncPolicy.SYNC, 4 * MIB, 64L * MIB,
                100_000, 64L * MIB, MIB, 8L * MIB, 1_000);
    }

    /** A copy that creates the data directory when it is missing. */
    public LevelDbStoreConfig withCreateDirectory(boolean create) {
        return new LevelDbStoreConfig(dataDirectory, create, syncPolicy, maxValueBytes, segmentBytes,
                writeQueueRecordsMax, writeQueueBytesMax, batchBytesMax, indexCacheBytes, cleanerIntervalMillis);
    }

    /** A copy with another sync policy. */
    public LevelDbStoreConfig withSyncPolicy(SyncPolicy policy) {
        return new LevelDbStoreConfig(dataDirectory, createDirectory, policy, maxValueBytes, segmentBytes,
                writeQueueRecordsMax, writeQueueBytesMax, batchBytesMax, indexCacheBytes, cleanerIntervalMillis);
    }

    /** A copy with another segment size. */
    public LevelDbStoreConfig withSegmentBytes(long bytes) {
        return new LevelDbStoreConfig(dataDirectory, createDirectory, syncPolicy, maxValueBytes, bytes,
                writeQueueRecordsMax, writeQueueBytesMax, batchBytesMax, indexCacheBytes, cleanerIntervalMillis);
    }

    /** A copy with another value limit (the queue byte bound grows if it must). */
    public LevelDbStoreConfig withMaxValueBytes(int bytes) {
        return new LevelDbStoreConfig(dataDirectory, createDirectory, syncPolicy, bytes, segmentBytes,
                writeQueueRecordsMax, Math.max(writeQueueBytesMax, bytes + 4096L), batchBytesMax, indexCacheBytes,
                cleanerIntervalMillis);
    }

    /** A copy with other write queue bounds. */
    public LevelDbStoreConfig withWriteQueue(int recordsMax, long bytesMax) {
        return new LevelDbStoreConfig(dataDirectory, createDirectory, syncPolicy, maxValueBytes, segmentBytes,
                recordsMax, bytesMax, batchBytesMax, indexCacheBytes, cleanerIntervalMillis);
    }

    /** A copy with another cleaner interval. */
    public LevelDbStoreConfig withCleanerIntervalMillis(long millis) {
        return new LevelDbStoreConfig(dataDirectory, createDirectory, syncPolicy, maxValueBytes, segmentBytes,
                writeQueueRecordsMax, writeQueueBytesMax, batchBytesMax, indexCacheBytes, millis);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
