package paxos.storage.leveldb;

import java.util.concurrent.atomic.AtomicLong;
import paxos.api.spi.log.LogStoreStats;

/** The store's counters; updated by the writer, the cleaner and append, read by anyone. */
final class Stats {
    final AtomicLong recordsAppended = new AtomicLong();
    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong indexBytesWritten = new AtomicLong();
    final AtomicLong bytesDeleted = new AtomicLong();
    /** Told about each sync of a batch (LogStore#observeSyncs); null: nobody listens. */
    volatile paxos.api.spi.log.SyncObserver syncObserver;

    /** Counts one fsync of a batch of {@code records} records and {@code bytes} bytes that took {@code nanos}. */
    void synced(long nanos, int records, long bytes) {
        fsyncs.incrementAndGet();
        paxos.api.spi.log.SyncObserver o = syncObserver;
        if (o == null) return;
        try {
            o.synced(nanos, records, bytes);
        } catch (RuntimeException e) {
            // a metrics bug must not fail the writes the sync made durable
        }
    }

    LogStoreStats snapshot() {
        return new LogStoreStats(recordsAppended.get(), fsyncs.get(), bytesWritten.get(), indexBytesWritten.get(),
                bytesDeleted.get());
    }
}
