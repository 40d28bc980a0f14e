package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogUnavailableException;

/**
 * A reading thread that is interrupted (a caller's timeout, a pool shut down with
 * {@code shutdownNow}) fails its own read at most, and nothing else: a {@code FileChannel} closes
 * itself when a thread reading through it is interrupted, and neither the segment files nor the
 * index's LevelDB tables may stay closed for the writer and every other reader.
 */
class InterruptedReaderTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedReaderFailsItsReadAndLeavesTheStoreWorking() {
        try (LevelDbLogStore store = new LevelDbLogStore(LevelDbStoreConfig.defaults(dir).withCreateDirectory(true))) {
            for (long i = 0; i < 10; i++) store.append(List.of(new Accept(1, i, 1, ("v" + i).getBytes()))).toCompletableFuture().join();
            Throwable t = readInterrupted(store, 3);
            assertTrue(t == null || t instanceof LogUnavailableException, "an interrupted read fails as unavailable, if at all: " + t);

            // the file stays usable: later reads and appends on other threads succeed
            assertArrayEquals("v3".getBytes(), store.read(1, 3).orElseThrow().value());
            store.append(List.of(new Accept(1, 10, 1, "v10".getBytes()))).toCompletableFuture().join();
            assertArrayEquals("v10".getBytes(), store.read(1, 10).orElseThrow().value());
            assertArrayEquals("v9".getBytes(), store.read(1, 9).orElseThrow().value());
        }
    }

    /** Reads {@code instance} on a new thread whose interrupt is pending; the read's error, or null. */
    private static Throwable readInterrupted(LevelDbLogStore store, long instance) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                store.read(1, instance);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        reader.start();
        return outcome.join();
    }

    @Test
    void anInterruptedLookupInTheIndexTablesLeavesThemReadable() {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(dir).withCreateDirectory(true);
        int n = 20_000;
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            List<CompletableFuture<Void>> writes = new java.util.ArrayList<>();
            for (long i = 0; i < n; i++) writes.add(store.append(List.of(new Accept(1, i, 1, ("v" + i).getBytes()))).toCompletableFuture());
            writes.forEach(CompletableFuture::join);
        }
        // reopened after a clean close: the index is in LevelDB's table files, nothing in memory
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            Throwable t = readInterrupted(store, 5);
            assertTrue(t == null || t instanceof LogUnavailableException, "an interrupted read fails as unavailable, if at all: " + t);
            for (long i = 0; i < n; i += 97) assertArrayEquals(("v" + i).getBytes(), store.read(1, i).orElseThrow().value(), "instance " + i);
        }
    }
}
