package paxos.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import paxos.api.spi.log.LogStoreStats;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;

/**
 * {@code ./paxos bench storage}: the durable log against the disk's own floor, in one run on one
 * disk. Floor: one thread appending a record-sized buffer and calling {@code force(false)} after
 * each record (the yardstick of 1 writer), or after every 64 records (of more writers), measured for
 * half the time right before and half right after each store measurement (the mean is printed). Store: {@link LevelDbLogStore} (SYNC) with 1, 16 and 64
 * writers, each appending one Accept and waiting for it; for more than one writer also as many
 * asynchronous closed-loop writers (row {@code store, N async writer(s)}: each re-appends from the
 * completion of its last append, as the engine's group event loops use the store, no thread per
 * writer; measured right after the blocking writers, against the same floor). Prints records/s, fsyncs and bytes
 * per record on disk (the data directory's growth measured after the store closed, so the index's
 * overlay is committed and LevelDB's preallocated log is cut to size), p50/p99 latency, each store
 * figure as a ratio of the floor measured in the same run, and the aims: 64 writers at least
 * {@value #AIM_64} of the 64-per-force floor, 1 writer at least {@value #AIM_1} of the
 * 1-per-force floor, bytes per record at most {@value #AIM_BYTES} of payload + header. Options: {@code --seconds N} per measurement
 * (default 3), {@code --dir PATH} (default: a fresh directory under java.io.tmpdir, deleted after),
 * {@code --sizes 100,4096}, {@code --writers 1,16,64}.
 */
public final class StorageBench {
    static final int HEADER_BYTES = 21; // the store's record header
    static final int BALLOT_BYTES = 8;
    private static final double AIM_64 = 0.7;
    private static final double AIM_1 = 0.9;
    private static final double AIM_BYTES = 1.3;

    /** {@code cpuMicrosPerRecord}: the benchmark process's CPU time (all threads) per record, a yardstick the machine's other load moves far less than records/s. */
    record Result(double recordsPerSecond, double fsyncsPerRecord, double bytesPerRecord, long p50Micros, long p99Micros,
            double cpuMicrosPerRecord) {}

    private StorageBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = 3;
        Path base = null;
        int[] sizes = {100, 4096};
        int[] writers = {1, 16, 64};
        double jitWarmup = 6;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                case "--sizes" -> sizes = ints(args[++i]);
                case "--writers" -> writers = ints(args[++i]);
                case "--jit-warmup" -> jitWarmup = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("usage: ./paxos bench storage [--seconds N] [--dir PATH] [--sizes 100,4096] [--writers 1,16,64] [--jit-warmup 6]");
                    System.exit(2);
                }
            }
        }
        boolean temporary = base == null;
        Path root = temporary ? Files.createTempDirectory("paxos-storage-bench") : Files.createDirectories(base);
        long nanos = (long) (seconds * 1e9);
        System.out.printf("storage bench in %s, %.1f s per measurement, %d cores%n", root, seconds,
                Runtime.getRuntime().availableProcessors());
        try {
            // JIT warm-up, not reported: in a fresh JVM on a 2-core machine the C2 compiler took 1.5-2.6 s of
            // CPU in the first 4 s store run (the writer's batch loop alone is a 579-byte method), so without
            // it the first rows measured the compiler as much as the store
            long warmup = (long) (jitWarmup * 1e9 / 2);
            System.err.printf("# JIT warm-up: %.1f s of 64 writers, not measured%n", jitWarmup);
            runStore(root.resolve("warmup-threads"), 100, 64, Math.max(warmup, 200_000_000L), false);
            runStore(root.resolve("warmup-async"), 100, 64, Math.max(warmup, 200_000_000L), true);
            deleteTree(root.resolve("warmup-threads"));
            deleteTree(root.resolve("warmup-async"));
            for (int size : sizes) {
                int recordBytes = HEADER_BYTES + BALLOT_BYTES + size;
                System.out.printf("%nvalue %d B (record on disk = %d B incl. header and ballot)%n", size, recordBytes);
                header();
                for (int w : writers) {
                    // the floor right before and right after each store run: on a shared machine the disk's
                    // speed drifts by minutes, so only a floor measured in the same minute is a fair yardstick
                    int perForce = w == 1 ? 1 : 64;
                    Path floorDir = root.resolve("floor-" + size + "-" + w);
                    Result before = floor(floorDir.resolve("before"), recordBytes, perForce, nanos / 2);
                    Result r = runStore(root.resolve("store-" + size + "-" + w), size, w, nanos, false);
                    Result async = w > 1 ? runStore(root.resolve("async-" + size + "-" + w), size, w, nanos, true) : null;
                    Result after = floor(floorDir.resolve("after"), recordBytes, perForce, nanos / 2);
                    Result floor = mean(before, after);
                    row("floor: force per " + perForce + (perForce == 1 ? " record" : " records"), floor, null, recordBytes);
                    row("store, " + w + " writer(s)", r, floor, recordBytes);
                    if (async != null) row("store, " + w + " async writer(s)", async, floor, recordBytes);
                    aims(w, r, async, floor, recordBytes);
                }
            }
        } finally {
            if (temporary) deleteTree(root);
        }
    }

    private static void header() {
        System.out.printf("  %-30s %12s %10s %10s %8s %8s   %s%n", "", "records/s", "fsync/rec", "bytes/rec", "p50 us",
                "p99 us", "vs the floor just before and after: records/s, p50");
    }

    private static void row(String name, Result r, Result floor, int recordBytes) {
        String ratio = floor == null ? "" : String.format("%.2f x, %.2f x; bytes/rec = %.3f x (payload + header)",
                r.recordsPerSecond() / floor.recordsPerSecond(), (double) r.p50Micros() / Math.max(1, floor.p50Micros()),
                r.bytesPerRecord() / recordBytes);
        System.out.printf("  %-30s %12.0f %10.3f %10.1f %8d %8d   %s%s%n", name, r.recordsPerSecond(), r.fsyncsPerRecord(),
                r.bytesPerRecord(), r.p50Micros(), r.p99Micros(), ratio,
                String.format("%scpu %.1f us/rec", ratio.isEmpty() ? "" : "; ", r.cpuMicrosPerRecord()));
    }

    /** Two floor runs of equal length as one. */
    static Result mean(Result a, Result b) {
        return new Result((a.recordsPerSecond() + b.recordsPerSecond()) / 2, a.fsyncsPerRecord(), a.bytesPerRecord(),
                (a.p50Micros() + b.p50Micros()) / 2, Math.max(a.p99Micros(), b.p99Micros()),
                (a.cpuMicrosPerRecord() + b.cpuMicrosPerRecord()) / 2);
    }

    /** The aims line: judged on the blocking writers' row, and at 64 writers on the async one too (what the engine does). */
    private static void aims(int writers, Result r, Result async, Result floor, int recordBytes) {
        double ratio = r.recordsPerSecond() / floor.recordsPerSecond();
        double bytes = r.bytesPerRecord() / recordBytes;
        String speed = writers == 1 ? aim("records/s", ratio, ">=", AIM_1, ratio >= AIM_1)
                : writers == 64 ? aim("records/s", ratio, ">=", AIM_64, ratio >= AIM_64) : "";
        if (writers == 64 && async != null) {
            double asyncRatio = async.recordsPerSecond() / floor.recordsPerSecond();
            speed += aim("async records/s", asyncRatio, ">=", AIM_64, asyncRatio >= AIM_64);
        }
        String size = recordBytes <= 200 ? aim("bytes/rec", bytes, "<=", AIM_BYTES, bytes <= AIM_BYTES) : "";
        if (!speed.isEmpty() || !size.isEmpty()) System.out.printf("  %-30s %s%s%n", "  aims:", speed, size);
    }

    private static String aim(String what, double value, String op, double aim, boolean met) {
        return String.format("%s %.2f x %s %.1f x %s;  ", what, value, op, aim, met ? "met" : "MISSED");
    }

    /** Appends record-sized buffers to a file, forcing after every {@code perForce} records. */
    static Result floor(Path dir, int recordBytes, int perForce, long nanos) throws IOException {
        Files.createDirectories(dir);
        Histogram latency = new Histogram(60_000_000L, 3);
        ByteBuffer batch = ByteBuffer.allocateDirect(recordBytes * perForce);
        long records = 0;
        long fsyncs = 0;
        long bytes;
        long cpu = processCpuNanos();
        try (FileChannel ch = FileChannel.open(dir.resolve("floor.dat"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long end = System.nanoTime() + nanos;
            long start = System.nanoTime();
            long pos = 0;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                batch.clear();
                while (batch.hasRemaining()) pos += ch.write(batch, pos);
                ch.force(false);
                fsyncs++;
                records += perForce;
                latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            }
            long elapsed = System.nanoTime() - start;
            bytes = pos;
            return new Result(records * 1e9 / elapsed, (double) fsyncs / records, (double) bytes / records,
                    latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), (processCpuNanos() - cpu) / 1e3 / records);
        }
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /**
     * {@code writers} writers, each on its own group, appending one accept at a time: threads that
     * wait for each append, or ({@code async}) closed loops that append again from the completion.
     */
    private static Result runStore(Path dir, int valueBytes, int writers, long nanos, boolean async) throws Exception {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(dir).withCreateDirectory(true);
        new LevelDbLogStore(config).close(); // the empty store's own files are not the records' cost
        long sizeBefore = directoryBytes(dir);
        StoreWriters.Run run;
        LogStoreStats before;
        LogStoreStats after;
        long cpu = processCpuNanos(); // open to close: the index commit at close is part of the records' cost
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            before = store.stats();
            byte[] value = new byte[valueBytes];
            // the '# cpu in this window' line on stderr: CPU by thread kind (writer, indexer, LevelDB compaction, ...)
            try (ProfileWindow window = ProfileWindow.open("store-" + valueBytes + "-" + writers + (async ? "-async" : ""))) {
                run = async ? StoreWriters.async(store, value, writers, nanos) : StoreWriters.threads(store, value, writers, nanos);
            }
            after = store.stats();
        }
        long records = run.records();
        double cpuMicrosPerRecord = (processCpuNanos() - cpu) / 1e3 / records;
        // after close: the index is wholly in LevelDB and LevelDB's preallocated log file is cut to its content
        double bytesPerRecord = (double) (directoryBytes(dir) - sizeBefore) / records;
        return new Result(records * 1e9 / run.elapsedNanos(), (double) (after.fsyncs() - before.fsyncs()) / records,
                bytesPerRecord, run.latency().getValueAtPercentile(50), run.latency().getValueAtPercentile(99), cpuMicrosPerRecord);
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("LOCK"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static int[] ints(String csv) {
        return Stream.of(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
