package paxos.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import paxos.api.spi.log.SyncPolicy;

/**
 * Options of {@link ClusterBench}, validated; a bad value fails with an
 * {@link IllegalArgumentException} naming the flag.
 *
 * @param clients closed-loop client counts to measure, each {@code 1..4096}
 * @param valueBytes bytes per proposed value, {@code 1..1 MiB}
 * @param groups Paxos groups, {@code 1..64}; client {@code i} writes to group {@code i % groups}
 * @param seconds measured window per client count, {@code 1..3600}
 * @param warmupSeconds warm-up before each window, {@code 0..3600}
 * @param processes nodes 2 and 3 in child JVMs (node 1 and the clients stay in this JVM)
 * @param sync the log's sync policy ({@code SYNC} unless comparing)
 * @param windowMax the nodes' {@code NodeConfig.windowMax} (instances in flight per group), {@code 0} = its default
 * @param routeToLeader each client proposes through the node leading its group (looked up before
 *     each window) instead of through the entry node; a group led outside this JVM still goes
 *     through the entry node
 * @param jitWarmupSeconds one unmeasured run at the largest client count before the first window,
 *     {@code 0..3600}, so that no window pays for the JIT compiling the engine
 */
record BenchOptions(List<Integer> clients, int valueBytes, int groups, int seconds, int warmupSeconds,
                    boolean processes, SyncPolicy sync, int windowMax, boolean routeToLeader, int jitWarmupSeconds) {

    static final String USAGE = """
            usage: ./paxos bench cluster [--clients 1,16,64] [--value-bytes 100] [--groups 1] [--seconds 10]
                                         [--warmup 5] [--processes] [--sync SYNC|NONE] [--window N]
                                         [--route entry|leader] [--jit-warmup 15]""";

    BenchOptions {
        clients = List.copyOf(clients);
        if (clients.isEmpty()) throw new IllegalArgumentException("--clients needs at least one count");
        for (int c : clients) range("--clients", c, 1, 4096);
        range("--value-bytes", valueBytes, 1, 1 << 20);
        range("--groups", groups, 1, 64);
        range("--seconds", seconds, 1, 3600);
        range("--warmup", warmupSeconds, 0, 3600);
        range("--window", windowMax, 0, 1024);
        range("--jit-warmup", jitWarmupSeconds, 0, 3600);
    }

    /** Options that route every client through the entry node (the other benchmarks' shape). */
    BenchOptions(List<Integer> clients, int valueBytes, int groups, int seconds, int warmupSeconds, boolean processes,
                 SyncPolicy sync, int windowMax) {
        this(clients, valueBytes, groups, seconds, warmupSeconds, processes, sync, windowMax, false, 0);
    }

    static BenchOptions parse(String... args) {
        List<Integer> clients = List.of(1, 16, 64);
        int valueBytes = 100;
        int groups = 1;
        int seconds = 10;
        int warmup = 5;
        boolean processes = false;
        SyncPolicy sync = SyncPolicy.SYNC;
        int window = 0;
        boolean routeToLeader = false;
        int jitWarmup = 15;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--processes")) {
                processes = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + flag + " needs a value");
            String v = args[++i];
            switch (flag) {
                case "--clients" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String s : v.split(",")) list.add(number(flag, s));
                    clients = list;
                }
                case "--value-bytes" -> valueBytes = number(flag, v);
                case "--groups" -> groups = number(flag, v);
                case "--seconds" -> seconds = number(flag, v);
                case "--warmup" -> warmup = number(flag, v);
                case "--window" -> window = number(flag, v);
                case "--sync" -> sync = syncPolicy(v);
                case "--route" -> routeToLeader = route(v);
                case "--jit-warmup" -> jitWarmup = number(flag, v);
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        return new BenchOptions(clients, valueBytes, groups, seconds, warmup, processes, sync, window, routeToLeader,
                jitWarmup);
    }

    /** The {@code --route} value: {@code true} for {@code leader}. */
    static boolean route(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "leader" -> true;
            case "entry" -> false;
            default -> throw new IllegalArgumentException("--route must be entry or leader: '" + v + "'");
        };
    }

    /** The {@code --sync} value, case-insensitive. */
    static SyncPolicy syncPolicy(String v) {
        try {
            return SyncPolicy.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sync must be SYNC or NONE: '" + v + "'");
        }
    }

    static int number(String flag, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number: '" + v + "'");
        }
    }

    static void range(String flag, int v, int min, int max) {
        if (v < min || v > max) throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ": " + v);
    }
}
