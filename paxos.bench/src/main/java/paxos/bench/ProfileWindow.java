package paxos.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * The CPU time of one measured window, and an optional Java Flight Recorder recording of it only (not the set-up around
 * it, which would drown the part measured): on when the system property
 * {@value #PROPERTY} names a file prefix, e.g. {@code -Dpaxos.bench.jfr=/tmp/catchup}; each window
 * {@code NAME} is dumped to {@code PREFIX-NAME.jfr} with the JDK's {@code profile} settings and
 * every allocation outside a TLAB ({@code jdk.ObjectAllocationOutsideTLAB}: the large arrays).
 * Read it with {@code jfr print --events jdk.ExecutionSample FILE} or {@code jfr summary FILE}.
 * The window's CPU time always goes to stderr as a {@code #} line: per thread kind (the name
 * without its numbers) and the rest of the process (GC, compiler: threads Java does not list),
 * because a sampling profile of a machine shared with other work says little about how much CPU
 * the path itself took.
 */
final class ProfileWindow implements AutoCloseable {
    static final String PROPERTY = "paxos.bench.jfr";

    private final String name;
    private final Recording recording;
    private final Path file;
    private final Map<Long, Long> threadCpuAtStart;
    private final long processCpuAtStart;
    private final Map<String, Long> nativeCpuAtStart;
    private final long startNanos = System.nanoTime();

    private ProfileWindow(String name, Recording recording, Path file) {
        this.name = name;
        this.recording = recording;
        this.file = file;
        this.threadCpuAtStart = threadCpu();
        this.processCpuAtStart = processCpu();
        this.nativeCpuAtStart = nativeCpu();
    }

    /** Starts measuring window {@code name}, and recording it if the property is set. */
    static ProfileWindow open(String name) throws IOException {
        String prefix = System.getProperty(PROPERTY);
        if (prefix == null || prefix.isBlank()) return new ProfileWindow(name, null, null);
        Recording r;
        try {
            r = new Recording(Configuration.getConfiguration("profile"));
        } catch (ParseException e) {
            throw new IOException("JFR profile settings: " + e.getMessage(), e);
        }
        // large arrays (a value, a message) are allocated outside TLABs: every one of them, with its stack
        r.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
        // which methods the JIT compiles in the window, and how long each took (it can be most of the CPU)
        r.enable("jdk.Compilation").withThreshold(java.time.Duration.ofMillis(1));
        r.start();
        return new ProfileWindow(name, r, Path.of(prefix + "-" + name + ".jfr"));
    }

    /** Prints the window's CPU line; stops the recording and writes its file (with the property). */
    @Override
    public void close() throws IOException {
        long wall = System.nanoTime() - startNanos;
        long process = processCpu() - processCpuAtStart;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byKind = new TreeMap<>();
        long javaThreads = 0;
        for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
            long used = e.getValue() - threadCpuAtStart.getOrDefault(e.getKey(), 0L);
            var info = mx.getThreadInfo(e.getKey());
            if (info == null || used <= 0) continue;
            byKind.merge(info.getThreadName().replaceAll("[0-9]+", "N"), used, Long::sum);
            javaThreads += used;
        }
        if (recording != null) {
            recording.stop();
            recording.dump(file);
            recording.close();
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "# cpu in this window (%.2f s wall): process %.2f s",
                wall / 1e9, process / 1e9));
        line.append(String.format(Locale.ROOT, ", not Java threads (GC, JIT) %.2f s", (process - javaThreads) / 1e9));
        byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> line.append(String.format(Locale.ROOT, ", %s %.2f s", e.getKey(), e.getValue() / 1e9)));
        System.err.println(line);
        // the rest by native thread kind: GC workers, concurrent marking, compilers (10 ms resolution)
        Map<String, Long> natives = new TreeMap<>();
        for (Map.Entry<String, Long> e : nativeCpu().entrySet()) {
            String kind = e.getKey().substring(e.getKey().indexOf(' ') + 1);
            if (!(kind.startsWith("GC ") || kind.startsWith("G1 ") || kind.contains("Compiler") || kind.startsWith("VM ")))
                continue;
            long used = e.getValue() - nativeCpuAtStart.getOrDefault(e.getKey(), 0L);
            if (used > 0) natives.merge(kind.replaceAll("[0-9]+", "N"), used, Long::sum);
        }
        StringBuilder rest = new StringBuilder("# cpu in this window outside Java threads:");
        natives.forEach((k, v) -> rest.append(String.format(Locale.ROOT, " %s %.2f s,", k, v / 1e9)));
        if (!natives.isEmpty()) System.err.println(rest.substring(0, rest.length() - 1));
        if (recording != null) System.err.println("# profile of this window: " + file);
        // System.nanoTime is CLOCK_MONOTONIC on Linux: cuts a `perf record -k CLOCK_MONOTONIC` profile to the window
        System.err.printf(Locale.ROOT, "# window %s: System.nanoTime %d..%d%n", name, startNanos, startNanos + wall);
    }

    private static Map<Long, Long> threadCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t >= 0) out.put(id, t);
        }
        return out;
    }

    /**
     * CPU time per native thread kind (GC workers, compiler threads, ...: the threads Java does
     * not list), from {@code /proc/self/task} (Linux; empty elsewhere), in nanoseconds.
     */
    private static Map<String, Long> nativeCpu() {
        Map<String, Long> out = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return out;
        for (java.io.File t : tasks) {
            try {
                String name = java.nio.file.Files.readString(t.toPath().resolve("comm")).trim();
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                out.merge(t.getName() + " " + name, ticks * 10_000_000L, Long::sum); // USER_HZ 100
            } catch (IOException | RuntimeException gone) {
                // the thread ended meanwhile
            }
        }
        return out;
    }

    private static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }
}
