package paxos.transport.netty.internal;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from a minimum to a maximum, with jitter so that nodes
 * restarted together do not reconnect in lockstep. Pure; the randomness is passed in.
 */
public record Backoff(long minMillis, long maxMillis) {

    /**
     * The delay before reconnect attempt {@code attempt} (0 for the first): a random value in
     * {@code [d/2, d]} where {@code d = min(maxMillis, minMillis * 2^attempt)}.
     */
    public long delayMillis(int attempt, RandomGenerator random) {
        int shift = Math.min(Math.max(attempt, 0), 30);
        long ceiling = minMillis << shift;
        if (ceiling > maxMillis || ceiling < minMillis) ceiling = maxMillis;
        long half = ceiling / 2;
        return half + random.nextLong(ceiling - half + 1);
    }
}
