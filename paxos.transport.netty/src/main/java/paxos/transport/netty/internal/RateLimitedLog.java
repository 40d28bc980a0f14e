package paxos.transport.netty.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Logs at most one line per key and interval, so a peer that retries, or a stranger that
 * hammers the port, cannot flood the log. The next line for a key says how many were
 * suppressed in between. Thread-safe.
 */
public final class RateLimitedLog {
    /** Longer messages are cut: some exceptions quote the offending bytes in hex. */
    static final int MESSAGE_CHARS_MAX = 300;

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long lastLoggedNanos;
        long suppressed;
        boolean logged;
    }

    public RateLimitedLog(Logger logger, long intervalMillis, LongSupplier nanoClock) {
        this.logger = logger;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    /**
     * Logs {@code message} at {@code level} unless a line with the same {@code key} was logged
     * within the interval. Keys should have few distinct values (a reason, or a peer's node ID),
     * never a remote port: the window map is bounded only by the number of keys.
     *
     * @return true if it was logged
     */
    public boolean log(Level level, String key, String message) {
        long now = nanoClock.getAsLong();
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long suppressed;
        synchronized (window) {
            if (window.logged && now - window.lastLoggedNanos < intervalNanos) {
                window.suppressed++;
                return false;
            }
            window.logged = true;
            window.lastLoggedNanos = now;
            suppressed = window.suppressed;
            window.suppressed = 0;
        }
        String text = message.length() <= MESSAGE_CHARS_MAX ? message : message.substring(0, MESSAGE_CHARS_MAX) + "...";
        logger.log(level, suppressed == 0 ? text : text + " (" + suppressed + " similar suppressed)");
        return true;
    }
}
