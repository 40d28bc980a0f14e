package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Chosen;
import paxos.api.spi.log.LogRecord.Meta;

/**
 * The index overlay over LevelDB with a commit every 8 entries, so that reads constantly straddle
 * the active generation, the one being committed and LevelDB: a reader running alongside the
 * appends must always see every acknowledged record (the read order active, sealed, LevelDB is
 * what makes that hold), chosen marks and metas must win over older layers, and a reopen must find
 * the same.
 */
class OverlayTest {
    private static final CommitPolicy TINY = new CommitPolicy(8, 5, 64);

    @TempDir
    Path dir;

    private LevelDbStoreConfig config() {
        return LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withSegmentBytes(64 * 1024);
    }

    private static byte[] value(long i) {
        return ("v" + i).getBytes();
    }

    @Test
    void readsNeverMissAnAcknowledgedRecordWhileGenerationsAreCommitted() throws Exception {
        int count = 3000;
        AtomicLong acknowledged = new AtomicLong(-1);
        AtomicReference<String> miss = new AtomicReference<>();
        try (LevelDbLogStore store = new LevelDbLogStore(config(), IoHook.NONE, TINY)) {
            Thread reader = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (acknowledged.get() < count - 1 && miss.get() == null && System.nanoTime() < deadline) {
                    long upTo = acknowledged.get();
                    if (upTo < 0) continue;
                    List<InstanceRecord> page = store.readRange(1, Math.max(0, upTo - 50), upTo + 1, 1000);
                    if (page.size() != Math.min(51, upTo + 1)) miss.set("readRange up to " + upTo + " got " + page.size());
                    if (store.read(1, upTo).isEmpty()) miss.set("read of acknowledged " + upTo + " found nothing");
                }
            }, "overlay-reader");
            reader.start();
            for (long i = 0; i < count; i++) {
                store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture().join();
                acknowledged.set(i);
                if (i % 3 == 0) store.append(List.of(new Chosen(1, i, 1, value(i)))).toCompletableFuture().join();
            }
            reader.join(TimeUnit.SECONDS.toMillis(90));
            assertEquals(null, miss.get());
            check(store, count);
        }
        try (LevelDbLogStore reopened = new LevelDbLogStore(config(), IoHook.NONE, TINY)) {
            check(reopened, count);
        }
    }

    @Test
    void newerLayersWinForMetasAndChosenMarks() {
        try (LevelDbLogStore store = new LevelDbLogStore(config(), IoHook.NONE, TINY)) {
            store.append(List.of(new Meta(1, "k", "old".getBytes()), new Accept(1, 0, 1, value(0)))).toCompletableFuture().join();
            for (long i = 1; i < 100; i++) store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture().join();
            store.append(List.of(new Meta(1, "k", "new".getBytes()), new Chosen(1, 0, 1, value(0)))).toCompletableFuture().join();
            assertArrayEquals("new".getBytes(), store.meta(1, "k").orElseThrow());
            assertTrue(store.read(1, 0).orElseThrow().chosen());
            store.append(List.of(new Meta(1, "k", new byte[0]))).toCompletableFuture().join();
            assertTrue(store.meta(1, "k").isEmpty(), "an empty value deletes the key in every layer");
        }
        try (LevelDbLogStore reopened = new LevelDbLogStore(config(), IoHook.NONE, TINY)) {
            assertTrue(reopened.meta(1, "k").isEmpty());
            assertTrue(reopened.read(1, 0).orElseThrow().chosen());
            assertEquals(100, reopened.readRange(1, 0, 100, 1000).size());
        }
    }

    private static void check(LevelDbLogStore store, int count) {
        List<InstanceRecord> all = store.readRange(1, 0, count, count + 10);
        assertEquals(count, all.size());
        for (InstanceRecord r : all) {
            assertArrayEquals(value(r.instance()), r.value());
            assertEquals(r.instance() % 3 == 0, r.chosen(), "chosen flag of " + r.instance());
        }
    }
}
