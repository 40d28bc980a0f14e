package paxos.plugin.support.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupStoreTest {
    static {
        // as the platform runs it (paxos.storage.leveldb sets it): tables read through FileChannels
        if (System.getProperty("leveldb.mmap") == null) System.setProperty("leveldb.mmap", "false");
    }

    @TempDir Path dir;

    private static final byte[] K = GroupStore.key((byte) 'd', "k");

    @Test
    void anInstanceIsStoredWithItsPositionAndAReplayIsIgnored() throws IOException {
        try (GroupStore store = GroupStore.open(dir.resolve("db"))) {
            assertEquals(-1, store.appliedInstance());
            assertTrue(store.apply(3, b -> b.putLong(K, 7)));
            assertFalse(store.apply(3, b -> b.putLong(K, 8)), "at or below the position: ignored");
            assertEquals(7, store.getLong(K, 0));
            assertEquals(3, store.read(GroupStore.View::appliedInstance));
        }
        try (GroupStore again = GroupStore.open(dir.resolve("db"))) {
            assertEquals(3, again.appliedInstance());
            assertEquals(7, again.getLong(K, 0));
        }
    }

    @Test
    void aFailedUpdateStoresNothingOfTheInstance() throws IOException {
        try (GroupStore store = GroupStore.open(dir.resolve("db"))) {
            assertThrows(UncheckedIOException.class, () -> store.apply(0, b -> {
                b.putLong(K, 1);
                throw new IOException("disk full");
            }));
            assertEquals(-1, store.appliedInstance());
            assertNull(store.get(K));
        }
    }

    @Test
    void aCopyHoldsTheSameEntriesAndPosition() throws IOException {
        try (GroupStore store = GroupStore.open(dir.resolve("db"))) {
            store.apply(0, b -> b.putLong(K, 1));
            store.apply(1, b -> b.put(GroupStore.key((byte) 'd', "other"), new byte[] {1, 2}));
            assertEquals(1, store.copyTo(dir.resolve("copy")));
            try (GroupStore copy = GroupStore.open(dir.resolve("copy"))) {
                assertEquals(1, copy.appliedInstance());
                assertEquals(store.checksum(), copy.checksum());
                int[] data = {0};
                copy.scan(new byte[] {'d'}, (k, v) -> ++data[0] > 0);
                assertEquals(2, data[0], "scan stops at the prefix's end (the position key is not data)");
            }
            assertThrows(IOException.class, () -> store.copyTo(dir.resolve("copy")), "target must not exist");
        }
    }

    @Test
    void aReaderWithAPendingInterruptLeavesTheTableFilesReadable() throws Exception {
        assumeFalse(org.iq80.leveldb.impl.Iq80DBFactory.USE_MMAP, "iq80 was loaded with memory-mapped tables in this JVM");
        int n = 50_000;
        try (GroupStore store = GroupStore.open(dir.resolve("db"))) {
            store.apply(0, b -> {
                for (int i = 0; i < n; i++) b.put(GroupStore.key((byte) 'd', "k" + i), new byte[100]);
            });
        }
        // reopened: the entries are in table files now
        try (GroupStore store = GroupStore.open(dir.resolve("db"))) {
            java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    store.get(GroupStore.key((byte) 'd', "k5"));
                    outcome.complete(Thread.currentThread().isInterrupted() ? null : new AssertionError("interrupt status lost"));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            reader.start();
            assertNull(outcome.join(), "the interrupted read answers and keeps its interrupt status");
            for (int i = 0; i < n; i += 487) assertEquals(100, store.get(GroupStore.key((byte) 'd', "k" + i)).length, "key k" + i);
            long[] count = {0};
            store.scan(GroupStore.key((byte) 'd', ""), (k, v) -> ++count[0] > 0);
            assertEquals(n, count[0]);
        }
    }
}
