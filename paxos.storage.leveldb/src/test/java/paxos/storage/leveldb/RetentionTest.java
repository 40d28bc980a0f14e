package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Meta;
import paxos.api.spi.log.LogRecord.Promise;

/** Retention deletes whole segment files shared by groups, in the background, and keeps state. */
class RetentionTest {
    @TempDir
    Path dir;

    private LevelDbStoreConfig config() {
        return LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withSegmentBytes(4096).withCleanerIntervalMillis(20);
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    private static void fill(LevelDbLogStore store, int group, long from, long to) {
        for (long i = from; i < to; i++) {
            store.append(List.of(new Accept(group, i, 1, new byte[200]))).toCompletableFuture().join();
        }
    }

    @Test
    void segmentsGoOnlyWhenEveryGroupInThemIsBelowItsRetentionPoint() throws IOException {
        try (LevelDbLogStore store = new LevelDbLogStore(config())) {
            store.append(List.of(new Promise(1, 5), new Meta(1, "cluster", new byte[] {42}))).toCompletableFuture().join();
            for (long i = 0; i < 200; i++) {
                store.append(List.of(new Accept(1, i, 1, new byte[200]), new Accept(2, i, 1, new byte[200])))
                        .toCompletableFuture().join();
            }
            long before = segmentFiles();
            assertTrue(before > 10, "small segments roll: " + before);

            store.retainFrom(1, 150);
            assertEquals(150, store.range(1).minRetained());
            assertThrows(LogCompactedException.class, () -> store.read(1, 149));
            // group 2 still holds everything in the shared files: nothing may go
            Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> segmentFiles() == before);

            store.pauseCleaning();
            store.retainFrom(2, 150);
            Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> segmentFiles() == before);
            store.resumeCleaning();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> segmentFiles() < before / 2);
            assertTrue(store.stats().bytesDeleted() > 0);
            assertEquals(new LogRange(150, 200), store.range(2));
            assertEquals(50, store.readRange(2, 150, 300, 1000).size());
            fill(store, 1, 200, 210);
        }
        // the promise and meta lived in a deleted file: they were re-written before it went
        deleteIndex();
        try (LevelDbLogStore store = new LevelDbLogStore(config())) {
            assertEquals(5, store.promisedBallot(1));
            assertArrayEquals(new byte[] {42}, store.meta(1, "cluster").orElseThrow());
            assertEquals(new LogRange(150, 210), store.range(1));
            assertEquals(new LogRange(150, 200), store.range(2));
            assertThrows(LogCompactedException.class, () -> store.read(2, 100));
            assertTrue(store.read(2, 150).isPresent());
        }
    }

    private void deleteIndex() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("index"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
