package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogUnavailableException;

/**
 * Faults injected into the writer's file operations through {@link IoHook}: an {@link Error} on
 * the writer thread fails the store loudly instead of hanging it, and a full disk ({@code ENOSPC}
 * on write) refuses appends with a clear error, loses nothing acknowledged, and recovers once the
 * space is back. {@link DiskFullTest} does the same on a real, small file system.
 */
class WriterFaultTest {
    @TempDir
    Path dir;

    /** Throws what it is armed with on the next write (and each later one while armed). */
    private static final class Faults implements IoHook {
        volatile Throwable onWrite;

        @Override
        public void beforeWrite(Path file, int bytes) throws IOException {
            Throwable t = onWrite;
            if (t instanceof IOException io) throw io;
            if (t instanceof Error e) throw e;
        }
    }

    private static final class InjectedError extends Error {
        InjectedError() {
            super("injected");
        }
    }

    private LevelDbStoreConfig config() {
        return LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withSegmentBytes(64 * 1024);
    }

    private static byte[] value(long i) {
        return ("value-" + i).getBytes();
    }

    @Test
    void anErrorOnTheWriterFailsEveryPendingAndLaterAppendAndCloseDoesNotHang() {
        Faults faults = new Faults();
        LevelDbLogStore store = new LevelDbLogStore(config(), faults, CommitPolicy.DEFAULT);
        for (long i = 0; i < 10; i++) store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture().join();
        faults.onWrite = new InjectedError();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long i = 10; i < 200; i++) pending.add(store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture());
        for (CompletableFuture<Void> f : pending) {
            // bounded: the bug was a hang
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(LogUnavailableException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("writer thread died"), e.getCause().getMessage());
        }
        CompletableFuture<Void> later = store.append(List.of(new Accept(1, 500, 1, value(500)))).toCompletableFuture();
        assertTrue(later.isCompletedExceptionally(), "an append after the writer died fails at once");
        for (long i = 0; i < 10; i++) assertArrayEquals(value(i), store.read(1, i).orElseThrow().value());
        assertTimeoutPreemptively(Duration.ofSeconds(30), store::close);
        try (LevelDbLogStore reopened = new LevelDbLogStore(config())) {
            for (long i = 0; i < 10; i++) assertArrayEquals(value(i), reopened.read(1, i).orElseThrow().value());
            reopened.append(List.of(new Accept(1, 10, 1, value(10)))).toCompletableFuture().join();
        }
    }

    @Test
    void aFullDiskRefusesAppendsClearlyLosesNothingAndResumesOnceSpaceIsFreed() {
        Faults faults = new Faults();
        List<Long> acknowledged = new ArrayList<>();
        try (LevelDbLogStore store = new LevelDbLogStore(config(), faults, CommitPolicy.DEFAULT)) {
            long i = 0;
            for (; i < 50; i++) {
                store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture().join();
                acknowledged.add(i);
            }
            faults.onWrite = new IOException("No space left on device");
            for (long end = i + 20; i < end; i++) {
                CompletableFuture<Void> f = store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture();
                CompletionException e = assertThrows(CompletionException.class, f::join);
                assertInstanceOf(LogUnavailableException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("disk full"), e.getCause().getMessage());
            }
            faults.onWrite = null; // space freed
            for (long end = i + 50; i < end; i++) {
                store.append(List.of(new Accept(1, i, 1, value(i)))).toCompletableFuture().join();
                acknowledged.add(i);
            }
            for (long a : acknowledged) assertArrayEquals(value(a), store.read(1, a).orElseThrow().value());
        }
        try (LevelDbLogStore reopened = new LevelDbLogStore(config())) {
            for (long a : acknowledged) assertArrayEquals(value(a), reopened.read(1, a).orElseThrow().value());
        }
    }
}
