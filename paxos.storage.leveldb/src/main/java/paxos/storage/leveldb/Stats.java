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

    LogStoreStats snapshot() {
        return new LogStoreStats(recordsAppended.get(), fsyncs.get(), bytesWritten.get(), indexBytesWritten.get(),
                bytesDeleted.get());
    }
}
