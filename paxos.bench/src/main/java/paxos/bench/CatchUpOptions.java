package paxos.bench;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import paxos.api.spi.log.SyncPolicy;

/**
 * Options of {@link CatchUpBench}, validated; a bad value fails with an
 * {@link IllegalArgumentException} naming the flag.
 *
 * @param megabytes value bytes written while the lagging node is down, in MB ({@code 10^6} bytes), {@code 1..65536}
 * @param valueBytes bytes per written value, {@code 1 KiB .. 512 KiB}
 * @param sync the logs' sync policy ({@code SYNC} unless comparing)
 * @param phases what to measure, in this order: {@code log} (peers still hold the log) and/or
 *     {@code checkpoint} (peers deleted it; a checkpoint is transferred and installed)
 * @param jitWarmupMegabytes before the measured phases, each phase once with this many MB, not
 *     measured, so that the catch-up paths are compiled ({@code 0} skips it), {@code 0..4096}
 */
record CatchUpOptions(int megabytes, int valueBytes, SyncPolicy sync, Set<String> phases, int jitWarmupMegabytes) {
    static final String LOG = "log";
    static final String CHECKPOINT = "checkpoint";
    static final String USAGE = """
            usage: ./paxos bench catchup [--mb 32] [--value-bytes 65536] [--sync SYNC|NONE] [--phases log,checkpoint] [--jit-warmup-mb 32]""";

    CatchUpOptions {
        BenchOptions.range("--mb", megabytes, 1, 65_536);
        BenchOptions.range("--value-bytes", valueBytes, 1024, 512 << 10);
        BenchOptions.range("--jit-warmup-mb", jitWarmupMegabytes, 0, 4096);
        if (sync == null) throw new IllegalArgumentException("--sync must be SYNC or NONE");
        phases = Set.copyOf(phases);
        if (phases.isEmpty()) throw new IllegalArgumentException("--phases needs log and/or checkpoint");
        for (String p : phases)
            if (!p.equals(LOG) && !p.equals(CHECKPOINT))
                throw new IllegalArgumentException("--phases takes log and/or checkpoint: '" + p + "'");
    }

    /** Values written per phase (at least one). */
    int values() {
        return (int) Math.max(1, (long) megabytes * 1_000_000 / valueBytes);
    }

    static CatchUpOptions parse(String... args) {
        int mb = 32;
        int valueBytes = 64 << 10;
        SyncPolicy sync = SyncPolicy.SYNC;
        Set<String> phases = Set.of(LOG, CHECKPOINT);
        int jitWarmup = 32;
        for (int i = 0; i < args.length; i += 2) {
            String flag = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + flag + " needs a value");
            String v = args[i + 1];
            switch (flag) {
                case "--mb" -> mb = BenchOptions.number(flag, v);
                case "--value-bytes" -> valueBytes = BenchOptions.number(flag, v);
                case "--sync" -> sync = BenchOptions.syncPolicy(v);
                case "--jit-warmup-mb" -> jitWarmup = BenchOptions.number(flag, v);
                case "--phases" -> {
                    Set<String> set = new LinkedHashSet<>();
                    for (String s : v.split(",")) set.add(s.trim().toLowerCase(Locale.ROOT));
                    phases = set;
                }
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        return new CatchUpOptions(mb, valueBytes, sync, phases, jitWarmup);
    }

    /** The same phases with {@code mb} MB and no warm-up of their own (the warm-up run). */
    CatchUpOptions warmup() {
        return new CatchUpOptions(jitWarmupMegabytes, valueBytes, sync, phases, 0);
    }
}
