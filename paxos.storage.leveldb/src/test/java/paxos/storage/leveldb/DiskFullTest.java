package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogUnavailableException;

/**
 * A real full disk: the store on a 4 MiB tmpfs (mounted by the test; skipped where mounting is
 * not allowed, i.e. not root). Appends until the file system is full, checks the refusal is a
 * clear {@link LogUnavailableException}, frees space (a ballast file), checks appends resume,
 * and that every acknowledged record survives a reopen.
 */
class DiskFullTest {
    @TempDir
    Path temp;
    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        mount = Files.createDirectories(temp.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): " + new String(p.getInputStream().readAllBytes()));
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void aFullFileSystemRefusesAppendsThenResumesAndNothingAcknowledgedIsLost() throws IOException {
        Path ballast = Files.write(mount.resolve("ballast"), new byte[512 * 1024]);
        Path data = mount.resolve("data");
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(data).withCreateDirectory(true).withSegmentBytes(256 * 1024);
        List<Long> acknowledged = new ArrayList<>();
        byte[] value = new byte[1000];
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            LogUnavailableException refusal = null;
            long i = 0;
            for (; i < 20_000 && refusal == null; i++) { // 4 MiB hold fewer than 4,000 such records
                try {
                    store.append(List.of(new Accept(1, i, 1, value(i, value)))).toCompletableFuture().join();
                    acknowledged.add(i);
                } catch (CompletionException e) {
                    refusal = assertInstanceOf(LogUnavailableException.class, e.getCause());
                }
            }
            assertTrue(refusal != null, "the file system never filled up");
            assertTrue(refusal.getMessage().contains("disk full"), refusal.getMessage());
            Files.delete(ballast);
            long next = i;
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                try {
                    store.append(List.of(new Accept(1, next, 1, value(next, value)))).toCompletableFuture().join();
                    return true;
                } catch (CompletionException e) {
                    return false;
                }
            });
            acknowledged.add(next);
            for (long a : acknowledged) assertArrayEquals(value(a, value), store.read(1, a).orElseThrow().value());
        }
        try (LevelDbLogStore reopened = new LevelDbLogStore(config)) {
            for (long a : acknowledged) assertArrayEquals(value(a, value), reopened.read(1, a).orElseThrow().value());
        }
    }

    private static byte[] value(long i, byte[] template) {
        byte[] v = template.clone();
        for (int k = 0; k < 8; k++) v[k] = (byte) (i >>> (8 * k));
        return v;
    }
}
