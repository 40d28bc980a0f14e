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
}
