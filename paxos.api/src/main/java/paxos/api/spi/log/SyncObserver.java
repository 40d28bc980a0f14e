package paxos.api.spi.log;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about every fsync a {@link LogStore} performs, for latency metrics
 * ({@link LogStore#observeSyncs}).
 *
 * <p><b>Threads.</b> Called on the store's writer thread right after the sync returned, before
 * the appends it covers complete: it must return within microseconds, never block, never throw.
 */
@ConsumerType
@FunctionalInterface
public interface SyncObserver {
    /**
     * @param nanos how long the sync call took
     * @param records records written by the batch the sync made durable ({@code >= 0})
     * @param bytes bytes written by that batch ({@code >= 0})
     */
    void synced(long nanos, int records, long bytes);
}
