package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogUnavailableException;

/**
 * Kill -9 at random moments: a child JVM ({@link CrashChild}) appends and reports every
 * acknowledged append on its stdout; the test kills it with SIGKILL after a random delay (some
 * during the child's own recovery), reopens the store and checks that every acknowledged record is
 * there and intact. One data directory across all rounds, so recovery also runs over earlier
 * crashes' leftovers. Lane A runs the default index commit policy, so most kills leave index
 * changes in the in-memory overlay only (the test counts the kills whose LevelDB watermark lay
 * behind the files, and requires some); lane B commits every 200 entries or 20 ms, so kills also
 * land inside LevelDB commits. Rounds: {@code -Dpaxos.crash.kills=N} (default 50, 40-70 s on two busy cores); seed:
 * {@code -Dpaxos.crash.seed=S}.
 */
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void nothingAcknowledgedIsLostAcrossRandomKills() throws Exception {
        int kills = Integer.getInteger("paxos.crash.kills", 50);
        long seed = Long.getLong("paxos.crash.seed", System.nanoTime());
        // two independent lanes (own directory, own child) halve the wall time on two cores
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<int[]> a = pool.submit(() -> new Lane(dir.resolve("lane-a"), seed, false).run((kills + 1) / 2, true));
            Future<int[]> b = pool.submit(() -> new Lane(dir.resolve("lane-b"), seed + 1, true).run(kills / 2, false));
            int[] ra = a.get();
            int[] rb = b.get();
            int writing = ra[0] + rb[0];
            long checks = (long) ra[1] + rb[1];
            System.out.printf("CrashTest: %d kills (seed %d), %d after the store opened, %d acknowledged-record checks,"
                    + " %d + %d kills with index changes only in the overlay%n", kills, seed, writing, checks, ra[2], rb[2]);
            assertTrue(ra[2] > 0, "no kill left uncommitted index changes: the overlay's recovery was not tested");
            assertTrue(writing >= kills / 2, "too few kills hit an open store: " + writing);
            assertTrue(checks > 1000, "the child acknowledged too little to test anything: " + checks);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One data directory killed over and over; accumulates what the children acknowledged. */
    private final class Lane {
        private final Path data;
        private final Random random;
        private final long seed;
        private final Map<Integer, BitSet> accepted = new HashMap<>();
        private final Map<Integer, BitSet> chosen = new HashMap<>();
        private final Map<Integer, Long> promised = new HashMap<>();
        private final boolean smallCommits;

        Lane(Path data, long seed, boolean smallCommits) {
            this.data = data;
            this.seed = seed;
            this.random = new Random(seed);
            this.smallCommits = smallCommits;
        }

        /** @return kills after the store opened, acknowledged records checked, kills with an uncommitted overlay */
        int[] run(int kills, boolean checkLock) throws Exception {
            int afterOpen = 0;
            long verified = 0;
            int uncommitted = 0;
            for (int round = 0; round < kills; round++) {
                Process child = start(data, smallCommits);
                StdoutCollector stdout = new StdoutCollector(child.getInputStream());
                stdout.start();
                // one round in five kills the child at a random moment of its start (during its
                // recovery); the others at a random moment after it opened the store
                if (round % 5 != 1) awaitReady(stdout);
                if (round == 0 && checkLock) {
                    LogUnavailableException e = assertThrows(LogUnavailableException.class,
                            () -> new LevelDbLogStore(CrashChild.config(data)));
                    assertTrue(e.getMessage().contains("in use by another store"), e.getMessage());
                }
                // on a busy machine the child may need long for its first fsync: kill only after it
                // acknowledged something, so that every such round tests what it promised
                if (round % 5 != 1) awaitFirstAcknowledgement(stdout);
                Thread.sleep(random.nextInt(300)); // the kill point: a random moment, not a wait for a condition
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                stdout.join();
                List<String> lines = stdout.lines();
                if (!lines.isEmpty()) afterOpen++;
                record(lines);
                if (!lines.isEmpty() && indexBehindFiles(data)) uncommitted++;
                verified += verify("seed " + seed + " round " + round);
            }
            return new int[] {afterOpen, (int) verified, uncommitted};
        }

        private void record(List<String> lines) {
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length != 3) continue;
                int g = Integer.parseInt(f[1]);
                long n = Long.parseLong(f[2]);
                switch (f[0]) {
                    case "A" -> accepted.computeIfAbsent(g, k -> new BitSet()).set((int) n);
                    case "C" -> chosen.computeIfAbsent(g, k -> new BitSet()).set((int) n);
                    case "P" -> promised.merge(g, n, Math::max);
                    default -> { }
                }
            }
        }

        private long verify(String where) {
            long count = 0;
            try (LevelDbLogStore store = new LevelDbLogStore(CrashChild.config(data))) {
                for (int g = 1; g <= CrashChild.GROUPS; g++) {
                    assertTrue(store.promisedBallot(g) >= promised.getOrDefault(g, 0L), where + ": promise of group " + g);
                    long min = store.range(g).minRetained();
                    BitSet acked = accepted.getOrDefault(g, new BitSet());
                    BitSet ackedChosen = chosen.getOrDefault(g, new BitSet());
                    Map<Long, InstanceRecord> held = new HashMap<>();
                    long from = Math.max(min, acked.nextSetBit(0) < 0 ? 0 : acked.nextSetBit(0));
                    for (List<InstanceRecord> page; !(page = store.readRange(g, from, Long.MAX_VALUE, 1000)).isEmpty(); ) {
                        for (InstanceRecord r : page) held.put(r.instance(), r);
                        from = page.get(page.size() - 1).instance() + 1;
                    }
                    for (int i = acked.nextSetBit((int) min); i >= 0; i = acked.nextSetBit(i + 1)) {
                        InstanceRecord r = held.get((long) i);
                        assertTrue(r != null, where + ": acknowledged accept " + g + "/" + i + " lost");
                        assertArrayEquals(CrashChild.value(g, i), r.value(), where + ": value of " + g + "/" + i);
                        if (ackedChosen.get(i)) assertTrue(r.chosen(), where + ": chosen mark of " + g + "/" + i + " lost");
                        count++;
                    }
                    for (InstanceRecord r : held.values()) {
                        assertArrayEquals(CrashChild.value(g, r.instance()), r.value(), where + ": unacknowledged but wrong");
                        assertEquals(1, r.ballot());
                    }
                }
            }
            return count;
        }
    }

    /** Whether the killed child's LevelDB watermark lies before the end of its segment files. */
    private static boolean indexBehindFiles(Path data) throws IOException {
        long newest = 0;
        long size = 0;
        try (Stream<Path> files = Files.list(data)) {
            for (Path f : files.toList()) {
                long id = Segment.idOf(f.getFileName().toString());
                if (id > newest) {
                    newest = id;
                    size = Files.size(f);
                }
            }
        }
        try (Index index = new Index(data.resolve("index"), 1 << 20)) {
            long[] watermark = index.watermark();
            return watermark == null || watermark[0] < newest || watermark[1] < size;
        }
    }

    private Process start(Path data, boolean smallCommits) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(), data.toString(),
                smallCommits ? CrashChild.SMALL_COMMITS : "default-commits");
        pb.redirectError(data.resolveSibling(data.getFileName() + "-stderr.log").toFile());
        return pb.start();
    }

    private static void awaitFirstAcknowledgement(StdoutCollector stdout) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (stdout) {
            while (true) {
                String text = stdout.text();
                int ready = text.indexOf("READY\n");
                if (ready >= 0 && text.indexOf('\n', ready + 6) >= 0) return;
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "child acknowledged nothing within 30 s");
                stdout.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    private static void awaitReady(StdoutCollector stdout) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (stdout) {
            while (!stdout.text().contains("READY\n")) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "child did not start");
                stdout.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Reads the child's stdout to the end; only newline-terminated lines count. */
    private static final class StdoutCollector extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        StdoutCollector(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (this) {
                        bytes.write(buf, 0, n);
                        notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the pipe closes when the child dies
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.US_ASCII);
        }

        List<String> lines() {
            String all = text();
            int end = all.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(all.substring(0, end).split("\n"));
        }
    }
}
