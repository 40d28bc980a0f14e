package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogCorruptException;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Meta;
import paxos.api.spi.log.LogRecord.Promise;
import paxos.api.spi.log.LogStore;

/** Recovery from damaged files: real segment files edited on disk between a close and a reopen. */
class RecoveryTest {
    @TempDir
    Path dir;

    private static byte[] value(int group, long instance) {
        return ("value-" + group + "-" + instance + "-" + "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
    }

    private LevelDbLogStore open() {
        return new LevelDbLogStore(LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withMaxValueBytes(65536));
    }

    private void fill(LogStore store, int groups, int count) {
        for (long i = 0; i < count; i++) {
            for (int g = 1; g <= groups; g++) {
                store.append(List.of(new Accept(g, i, 1, value(g, i)))).toCompletableFuture().join();
            }
        }
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    private long offsetOf(Path segment, byte[] needle) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) if (all[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5a);
        }
    }

    private void deleteIndex() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("index"))) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void tornTailIsCutAndEverythingBeforeItKept() throws IOException {
        try (LevelDbLogStore store = open()) {
            fill(store, 1, 10);
        }
        Path seg = onlySegment();
        long whole = Files.size(seg);
        // a torn append: a header announcing 200 bytes, and only part of them
        byte[] torn = new byte[60];
        torn[3] = (byte) 200;
        Files.write(seg, torn, java.nio.file.StandardOpenOption.APPEND);
        try (LevelDbLogStore store = open()) {
            assertEquals(whole, Files.size(seg), "torn bytes cut off");
            assertEquals(new LogRange(0, 10), store.range(1));
            assertEquals(new String(value(1, 9)), new String(store.read(1, 9).orElseThrow().value()));
            store.append(List.of(new Accept(1, 10, 1, value(1, 10)))).toCompletableFuture().join();
        }
        try (LevelDbLogStore store = open()) {
            assertEquals(new String(value(1, 10)), new String(store.read(1, 10).orElseThrow().value()));
        }
    }

    @Test
    void lastRecordWithBadChecksumIsATornTail() throws IOException {
        try (LevelDbLogStore store = open()) {
            fill(store, 1, 5);
        }
        deleteIndex(); // force the scan over the whole file
        Path seg = onlySegment();
        flipByte(seg, Files.size(seg) - 3);
        try (LevelDbLogStore store = open()) {
            assertEquals(new LogRange(0, 4), store.range(1), "the damaged last record is dropped");
            assertTrue(store.read(1, 3).isPresent());
        }
    }

    @Test
    void corruptRecordInTheMiddleFailsOnlyItsGroupNamingFileAndOffset() throws IOException {
        try (LevelDbLogStore store = open()) {
            fill(store, 2, 10);
        }
        Path seg = onlySegment();
        long at = offsetOf(seg, value(1, 4));
        flipByte(seg, at + 10);
        try (LevelDbLogStore store = open()) {
            LogCorruptException e = assertThrows(LogCorruptException.class, () -> store.read(1, 4));
            assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("offset " + (at - RecordFormat.HEADER_BYTES - 8)), e.getMessage());
            assertThrows(LogCorruptException.class, () -> store.read(1, 5), "the group refuses to serve");
            assertEquals(new String(value(2, 4)), new String(store.read(2, 4).orElseThrow().value()));
            assertEquals(10, store.readRange(2, 0, 100, 100).size());
        }
        try (LevelDbLogStore store = open()) {
            assertThrows(LogCorruptException.class, () -> store.range(1), "the mark survives a reopen");
            assertTrue(store.read(2, 9).isPresent());
        }
    }

    @Test
    void aLargeValueIsReadIntoItsOwnArrayAndAFlippedByteInItIsCaught() throws IOException {
        // above LevelDbLogStore.SPLIT_READ_BYTES: header and value are read apart, the CRC spans both
        byte[][] values = new byte[4][];
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withMaxValueBytes(1 << 20);
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (("large-" + i + "-").repeat(20_000)).getBytes(StandardCharsets.UTF_8);
                store.append(List.of(new Accept(1, i, 1, values[i]))).toCompletableFuture().join();
            }
            for (int i = 0; i < values.length; i++)
                assertTrue(java.util.Arrays.equals(values[i], store.read(1, i).orElseThrow().value()), "value " + i);
            // damaged under the open store (a reopen's scan would find it first): the read itself must notice
            Path seg = onlySegment();
            long at = offsetOf(seg, values[2]);
            flipByte(seg, at + values[2].length / 2);
            LogCorruptException e = assertThrows(LogCorruptException.class, () -> store.read(1, 2));
            assertTrue(e.getMessage().contains("offset " + (at - RecordFormat.HEADER_BYTES - 8)), e.getMessage());
        }
    }

    @Test
    void corruptRecordFoundByTheRebuildScanMarksItsGroup() throws IOException {
        try (LevelDbLogStore store = open()) {
            fill(store, 2, 10);
        }
        Path seg = onlySegment();
        long at = offsetOf(seg, value(1, 4));
        flipByte(seg, at + 10);
        deleteIndex();
        try (LevelDbLogStore store = open()) {
            LogCorruptException e = assertThrows(LogCorruptException.class, () -> store.read(1, 4));
            assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
            assertEquals(new String(value(2, 9)), new String(store.read(2, 9).orElseThrow().value()));
            assertEquals(new LogRange(0, 10), store.range(2));
        }
    }

    @Test
    void lostIndexIsRebuiltFromTheSegments() throws IOException {
        try (LevelDbLogStore store = open()) {
            store.append(List.of(new Promise(1, 7), new Meta(1, "m", "x".getBytes()))).toCompletableFuture().join();
            fill(store, 2, 50);
            store.append(List.of(new paxos.api.spi.log.LogRecord.Chosen(2, 3, 1, value(2, 3)))).toCompletableFuture().join();
        }
        deleteIndex();
        try (LevelDbLogStore store = open()) {
            assertEquals(7, store.promisedBallot(1));
            assertEquals("x", new String(store.meta(1, "m").orElseThrow()));
            assertEquals(new LogRange(0, 50), store.range(1));
            assertTrue(store.read(2, 3).orElseThrow().chosen());
            assertFalse(store.read(2, 4).orElseThrow().chosen());
            assertEquals(new String(value(2, 49)), new String(store.read(2, 49).orElseThrow().value()));
        }
    }
}
