package paxos.bench;

/**
 * Options of {@link MemoryBench}, validated; a bad value fails with an
 * {@link IllegalArgumentException} naming the flag.
 *
 * @param groups groups of the idle-group measurement, {@code 2..64}
 * @param clients closed-loop clients of the in-flight measurement and the soak, {@code 1..4096}
 * @param valueBytes bytes per written value, {@code 1..1 MiB}
 * @param inFlightSeconds how long the in-flight measurement runs the clients (a post-GC heap
 *     sample every second), {@code 2..600}
 * @param soakSeconds how long the soak runs ({@code 0}: no soak), {@code 0..86400}
 * @param sampleSeconds seconds between the soak's post-GC heap samples, {@code 1..3600}
 */
record MemoryOptions(int groups, int clients, int valueBytes, int inFlightSeconds, int soakSeconds, int sampleSeconds) {
    static final String USAGE = """
            usage: ./paxos bench memory [--groups 64] [--clients 64] [--value-bytes 100] [--in-flight-seconds 10]
                                        [--soak-seconds 0] [--sample-seconds 10]""";

    MemoryOptions {
        BenchOptions.range("--groups", groups, 2, 64);
        BenchOptions.range("--clients", clients, 1, 4096);
        BenchOptions.range("--value-bytes", valueBytes, 1, 1 << 20);
        BenchOptions.range("--in-flight-seconds", inFlightSeconds, 2, 600);
        BenchOptions.range("--soak-seconds", soakSeconds, 0, 86_400);
        BenchOptions.range("--sample-seconds", sampleSeconds, 1, 3600);
    }

    static MemoryOptions parse(String... args) {
        int groups = 64;
        int clients = 64;
        int valueBytes = 100;
        int inFlightSeconds = 10;
        int soakSeconds = 0;
        int sampleSeconds = 10;
        for (int i = 0; i < args.length; i += 2) {
            String flag = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + flag + " needs a value");
            int v = BenchOptions.number(flag, args[i + 1]);
            switch (flag) {
                case "--groups" -> groups = v;
                case "--clients" -> clients = v;
                case "--value-bytes" -> valueBytes = v;
                case "--in-flight-seconds" -> inFlightSeconds = v;
                case "--soak-seconds" -> soakSeconds = v;
                case "--sample-seconds" -> sampleSeconds = v;
                default -> throw new IllegalArgumentException("unknown flag '" + flag + "'");
            }
        }
        return new MemoryOptions(groups, clients, valueBytes, inFlightSeconds, soakSeconds, sampleSeconds);
    }
}
