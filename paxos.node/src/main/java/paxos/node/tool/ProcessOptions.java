package paxos.node.tool;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import paxos.api.spi.log.SyncPolicy;
import paxos.node.NodeConfig;

/**
 * The command-line flags of {@link NodeProcess}, validated: a missing or bad flag fails with an
 * {@link IllegalArgumentException} naming it. Every flag takes one value ({@code --name value}).
 *
 * @param config the node's configuration
 * @param entriesMax most executed entries each group's state machine keeps for {@code dump}
 * @param fileStateMachine {@code --state-machine file}: the durable, checkpointable
 *     {@link FileChecksumStateMachine} instead of the in-memory {@link ChecksumStateMachine}
 * @param segmentBytes log segment size ({@code --segment-bytes}), {@code 0} for the store's default;
 *     small segments let retention really delete log in tests
 * @param checkpointBytesPerSecondMax checkpoint transfer throttle, {@code 0} for the default
 * @param checkpointChunkBytes checkpoint chunk size, {@code 0} for the default
 * @param restartDelayMillis extra time the file state machine takes to open and close (tests kill
 *     the process during a checkpoint install's restart), {@code 0..60000}
 */
public record ProcessOptions(NodeConfig config, int entriesMax, boolean fileStateMachine, long segmentBytes,
                             long checkpointBytesPerSecondMax, int checkpointChunkBytes, long restartDelayMillis) {
    /** What {@code --help} and errors print. */
    public static final String USAGE = """
            usage: NodeProcess --node-id N --members 1@127.0.0.1:7001,2@127.0.0.1:7002,... --data-dir DIR
                               --secret S [--groups N=1] [--sync SYNC|NONE] [--cluster-id ID=paxos]
                               [--entries-max N=1000000] [--proposal-timeout-millis N=10000]
                               [--state-machine memory|file] [--hold-log-count N=1000000] [--segment-bytes N]
                               [--checkpoint-bytes-per-second N] [--checkpoint-chunk-bytes N]
                               [--restart-delay-millis N=0] [--listen-host ADDRESS=127.0.0.1]
                               [--start-mode bootstrap|member|join=bootstrap] [--forget-incarnations ID,ID...]
                               [--election-ticks N]""";

    private static final Set<String> KNOWN = Set.of("--node-id", "--members", "--data-dir", "--secret", "--groups",
            "--sync", "--cluster-id", "--entries-max", "--proposal-timeout-millis", "--state-machine", "--hold-log-count",
            "--segment-bytes", "--checkpoint-bytes-per-second", "--checkpoint-chunk-bytes", "--restart-delay-millis",
            "--listen-host", "--start-mode", "--forget-incarnations", "--election-ticks");

    /** Parses and validates {@code args}. */
    public static ProcessOptions parse(String... args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!KNOWN.contains(args[i])) throw new IllegalArgumentException("unknown flag '" + args[i] + "'");
            if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + args[i] + " needs a value");
            flags.put(args[i], args[i + 1]);
        }
        NodeConfig.Builder builder = NodeConfig.builder(number(flags, "--node-id", null), required(flags, "--members"))
                .dataDir(Path.of(required(flags, "--data-dir")))
                .listenHost(flags.getOrDefault("--listen-host", "127.0.0.1"))
                .clusterSecret(required(flags, "--secret"))
                .clusterId(flags.getOrDefault("--cluster-id", "paxos"))
                .groupCount(number(flags, "--groups", 1))
                .syncPolicy(sync(flags.getOrDefault("--sync", "SYNC")))
                .proposalTimeoutMillis(number(flags, "--proposal-timeout-millis", 10_000))
                .holdLogCount(number(flags, "--hold-log-count", 1_000_000))
                // a test tool: bootstrap (create a missing directory) unless told otherwise
                .startMode(startMode(flags.getOrDefault("--start-mode", "bootstrap")))
                .forgetIncarnations(ids(flags.getOrDefault("--forget-incarnations", "")));
        // benchmarks give followers a long one so that the node in the benchmark's JVM leads
        if (flags.containsKey("--election-ticks")) builder.electionTicks(number(flags, "--election-ticks", null));
        NodeConfig config = builder.build();
        int entriesMax = number(flags, "--entries-max", 1_000_000);
        if (entriesMax < 0) throw new IllegalArgumentException("--entries-max must be >= 0: " + entriesMax);
        String machine = flags.getOrDefault("--state-machine", "memory");
        if (!machine.equals("memory") && !machine.equals("file"))
            throw new IllegalArgumentException("--state-machine must be memory or file: '" + machine + "'");
        int segmentBytes = number(flags, "--segment-bytes", 0);
        if (segmentBytes != 0 && segmentBytes < 4096) throw new IllegalArgumentException("--segment-bytes must be >= 4096: " + segmentBytes);
        int rate = number(flags, "--checkpoint-bytes-per-second", 0);
        int chunk = number(flags, "--checkpoint-chunk-bytes", 0);
        if (rate < 0 || chunk < 0) throw new IllegalArgumentException("--checkpoint-* flags must be >= 0");
        int delay = number(flags, "--restart-delay-millis", 0);
        if (delay < 0 || delay > 60_000) throw new IllegalArgumentException("--restart-delay-millis must be 0..60000: " + delay);
        return new ProcessOptions(config, entriesMax, machine.equals("file"), segmentBytes, rate, chunk, delay);
    }

    private static String required(Map<String, String> flags, String name) {
        String v = flags.get(name);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("missing " + name);
        return v;
    }

    private static int number(Map<String, String> flags, String name, Integer fallback) {
        String v = flags.get(name);
        if (v == null) {
            if (fallback == null) throw new IllegalArgumentException("missing " + name);
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: '" + v + "'");
        }
    }

    private static paxos.node.NodeIdentityFile.StartMode startMode(String v) {
        try {
            return paxos.node.NodeIdentityFile.StartMode.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--start-mode must be bootstrap, member or join: '" + v + "'");
        }
    }

    private static Set<Integer> ids(String v) {
        Set<Integer> out = new java.util.TreeSet<>();
        for (String id : v.split(",")) {
            if (id.isBlank()) continue;
            try {
                out.add(Integer.parseInt(id.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--forget-incarnations needs node IDs: '" + v + "'");
            }
        }
        return out;
    }

    private static SyncPolicy sync(String v) {
        try {
            return SyncPolicy.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sync must be SYNC or NONE: '" + v + "'");
        }
    }
}
