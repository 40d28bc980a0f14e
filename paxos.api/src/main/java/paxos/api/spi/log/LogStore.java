package paxos.api.spi.log;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A node's durable Paxos log for all its groups.
 *
 * <p><b>Threads.</b> All methods are thread-safe. {@link #append} never blocks on the disk: it
 * queues and returns a stage, completed later on a store thread. Callers' dependent actions on
 * that stage may run on that thread, which may be the one that writes the log: they must be short
 * and must not block (hand longer work to an executor). Reads may block on the disk and
 * are called from the engine's I/O or catch-up threads, never from a group's core.
 *
 * <p><b>Ordering.</b> Records of one {@code append} call are applied in list order; calls are
 * applied in the order they were made (per calling thread, and globally as observed through
 * completed stages). A read after a completed append sees it.
 *
 * <p><b>Failures.</b> Reads throw, and stages complete exceptionally with,
 * {@link LogCompactedException}, {@link LogUnavailableException} or {@link LogCorruptException}.
 * A failure of one group's data never fails another group's reads.
 *
 * <p><b>Limits.</b> A record's value is at most {@link #maxValueBytes()}; larger ones fail the
 * append with {@link IllegalArgumentException} before anything is written. The write queue is
 * bounded; when full, the stage fails with {@link LogUnavailableException} at once.
 */
@ProviderType
public interface LogStore extends AutoCloseable {

    /**
     * Queues records, possibly of several groups, for durable writing.
     *
     * @return completes once every record is durable under the store's {@link SyncPolicy}
     */
    CompletionStage<Void> append(List<LogRecord> records);

    /**
     * Like {@link #append}, for records whose loss a crash may cost only time, never safety
     * (chosen marks, which a node can learn again; metadata it rewrites periodically). The stage
     * completes once the records are written in order (visible to reads) without waiting for a
     * sync of their own; a later {@link #append}'s sync, or {@link #close()}, makes them durable.
     * Ordering with {@link #append} calls is kept. The default syncs like {@link #append}.
     */
    default CompletionStage<Void> appendUnsynced(List<LogRecord> records) {
        return append(records);
    }

    /**
     * The record of one instance, if the store has one.
     *
     * @throws LogCompactedException if {@code instance} is below the group's minimum retained instance
     */
    Optional<InstanceRecord> read(int group, long instance);

    /**
     * Reads up to {@code maxCount} held instances of {@code [from, to)} in increasing order,
     * skipping missing ones; for catch-up and replay in bounded steps (call again from the last
     * instance + 1).
     *
     * @throws LogCompactedException if {@code from} is below the minimum retained instance
     */
    List<InstanceRecord> readRange(int group, long from, long to, int maxCount);

    /** The highest promise written for the group, or {@code 0} if none. */
    long promisedBallot(int group);

    /** The group's metadata value for {@code key}, if any. */
    Optional<byte[]> meta(int group, String key);

    /** The instances held for the group. */
    LogRange range(int group);

    /**
     * Allows deleting the group's records below {@code minInstance}. Deletion happens in the
     * background, in whole files, never blocks appends, and may lag; afterwards
     * {@link #range}{@code .minRetained()} rises to at most {@code minInstance}. Never lowers it.
     */
    void retainFrom(int group, long minInstance);

    /** Pauses background deletion (operators' switch); appends continue. */
    void pauseCleaning();

    /** Resumes background deletion. */
    void resumeCleaning();

    /** Largest value one record may carry, in bytes. */
    int maxValueBytes();

    /** Counters since open. */
    LogStoreStats stats();

    /**
     * Flushes what is queued, stops the store's threads and releases its files and lock.
     * Pending stages complete (durably) or fail with {@link LogUnavailableException}; later calls
     * fail with it. Idempotent.
     */
    @Override
    void close();

    /**
     * Reports every fsync from now on to {@code observer} (replacing the previous one; {@code null}
     * stops reporting). Any thread. The default reports nothing (stores without syncs, tests).
     */
    default void observeSyncs(SyncObserver observer) {}
}
