package paxos.plugin.support.http;

import java.lang.System.Logger.Level;

/**
 * Logs at most one line per interval and counts what it dropped, so that a repeated failure
 * (ConfigAdmin down, a writer fighting the store) cannot flood the log. Thread-safe.
 */
public final class RateLimitedLog {
    private final System.Logger logger;
    private final long intervalNanos;
    private long nextNanos = Long.MIN_VALUE;
    private boolean started;
    private int dropped;

    public RateLimitedLog(System.Logger logger, long intervalMillis) {
        this.logger = logger;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    public synchronized void log(Level level, String message) {
        long now = System.nanoTime();
        if (started && now - nextNanos < 0) {
            dropped++;
            return;
        }
        started = true;
        nextNanos = now + intervalNanos;
        String suffix = dropped > 0 ? " (" + dropped + " similar lines dropped)" : "";
        dropped = 0;
        logger.log(level, message + suffix);
    }
}
