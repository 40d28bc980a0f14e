package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogUnavailableException;

/** Bad configuration and environment: clear errors, nothing written. */
class EnvironmentTest {
    @TempDir
    Path temp;

    @Test
    void missingDirectoryIsRefusedUnlessCreationIsAsked() {
        Path dir = temp.resolve("absent");
        LogUnavailableException e = assertThrows(LogUnavailableException.class,
                () -> new LevelDbLogStore(LevelDbStoreConfig.defaults(dir)));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        new LevelDbLogStore(LevelDbStoreConfig.defaults(dir).withCreateDirectory(true)).close();
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void aFileInPlaceOfTheDirectoryIsRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");
        LogUnavailableException e = assertThrows(LogUnavailableException.class,
                () -> new LevelDbLogStore(LevelDbStoreConfig.defaults(file)));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsClearly() {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(temp.resolve("d")).withCreateDirectory(true);
        try (LevelDbLogStore first = new LevelDbLogStore(config)) {
            LogUnavailableException e = assertThrows(LogUnavailableException.class, () -> new LevelDbLogStore(config));
            assertTrue(e.getMessage().contains("in use by another store"), e.getMessage());
        }
        new LevelDbLogStore(config).close(); // released by close
    }

    @Test
    void nonsenseConfigurationIsRejected() {
        Path dir = temp.resolve("d");
        var d = LevelDbStoreConfig.defaults(dir);
        assertThrows(IllegalArgumentException.class, () -> d.withSegmentBytes(10));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxValueBytes(0));
        assertThrows(IllegalArgumentException.class, () -> d.withWriteQueue(0, 1 << 30));
        assertThrows(IllegalArgumentException.class, () -> d.withWriteQueue(10, 100));
        assertThrows(NullPointerException.class, () -> LevelDbStoreConfig.defaults(null));
    }

    @Test
    void fullWriteQueueFailsFastAndLosesNothingAcknowledged() {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(temp.resolve("q")).withCreateDirectory(true)
                .withWriteQueue(4, 1 << 30);
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            List<CompletableFuture<Void>> stages = new ArrayList<>();
            for (long i = 0; i < 2000; i++) {
                stages.add(store.append(List.of(new Accept(1, i, 1, new byte[100]))).toCompletableFuture());
            }
            int refused = 0;
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                try {
                    stages.get(i).join();
                    acknowledged.add((long) i);
                } catch (CompletionException e) {
                    assertTrue(e.getCause() instanceof LogUnavailableException, "got " + e.getCause());
                    assertTrue(e.getCause().getMessage().contains("write queue full"), e.getCause().getMessage());
                    refused++;
                }
            }
            assertTrue(refused > 0, "a queue of 4 records must overflow under 2000 unwaited appends");
            for (long i : acknowledged) assertTrue(store.read(1, i).isPresent());
            assertEquals(acknowledged.size(), store.readRange(1, 0, 2000, 5000).size());
        }
    }
}
