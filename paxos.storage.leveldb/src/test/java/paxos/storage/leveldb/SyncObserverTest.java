package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogRecord.Accept;

/** Every fsync of a batch is reported with its duration, records and bytes; unsynced writes are not; null stops it. */
class SyncObserverTest {
    @TempDir
    Path dir;

    record Sync(long nanos, int records, long bytes) {}

    @Test
    void eachSyncedAppendIsReportedOnceWithWhatItMadeDurable() throws Exception {
        List<Sync> syncs = new CopyOnWriteArrayList<>();
        try (LevelDbLogStore store = new LevelDbLogStore(LevelDbStoreConfig.defaults(dir).withCreateDirectory(true))) {
            long base = store.stats().fsyncs();
            store.observeSyncs((nanos, records, bytes) -> syncs.add(new Sync(nanos, records, bytes)));
            store.append(List.of(new Accept(1, 0, 1, new byte[100]), new Accept(1, 1, 1, new byte[100]))).toCompletableFuture().join();
            assertEquals(1, syncs.size(), syncs.toString());
            Sync s = syncs.get(0);
            assertEquals(2, s.records());
            assertTrue(s.bytes() > 200 && s.nanos() >= 0, s.toString());
            assertEquals(base + 1, store.stats().fsyncs(), "the counter and the observer agree");

            store.observeSyncs(null);
            store.append(List.of(new Accept(1, 2, 1, new byte[10]))).toCompletableFuture().join();
            assertEquals(1, syncs.size(), "no observer, no report");
            assertEquals(base + 2, store.stats().fsyncs());
        }
    }
}
