package paxos.sim;

import java.util.List;

/**
 * The outcome of one seed.
 *
 * @param seed the seed; {@code --seed S} replays it exactly
 * @param params the shape drawn from it
 * @param violations what the oracles found (empty: passed)
 * @param stats a one-line summary for humans
 */
public record SimResult(long seed, String params, List<String> violations, String stats) {
    public boolean passed() {
        return violations.isEmpty();
    }

    /** A counter of the statistics line, e.g. {@code stat("checkpointInstalls")}. */
    public long stat(String name) {
        return Long.parseLong(stats.replaceAll(".*\\b" + name + "=(\\d+).*", "$1"));
    }

    /** One line per failed seed ({@code seed=S violation: ...}); empty if all passed. */
    public static String failures(List<SimResult> results) {
        return results.stream().filter(r -> !r.passed()).map(r -> "seed=" + r.seed() + " violation: " + r.violations().get(0))
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
