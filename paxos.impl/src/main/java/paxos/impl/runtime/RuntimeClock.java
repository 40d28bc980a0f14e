package paxos.impl.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's time: a monotonic clock and one-shot timers. Production uses {@link #SYSTEM};
 * the simulator passes its deterministic scheduler, so that the production runtime runs inside
 * a seeded simulation (same seed, same run).
 *
 * <p><b>Threads.</b> Any thread may call both methods; {@code schedule} never runs the task on the
 * caller's stack and never blocks.
 */
public interface RuntimeClock {
    /**
     * The real clock: {@link System#nanoTime()} and the JDK's delay thread, which runs the (short)
     * tasks itself. Why not the common pool (the default of {@code delayedExecutor}): on a 2-core
     * machine it starts a new thread per task. The JDK owns the thread, so nothing outlives a bundle.
     */
    RuntimeClock SYSTEM = new RuntimeClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void schedule(long delayNanos, Runnable task) {
            CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS, Runnable::run).execute(task);
        }
    };

    /** Monotonic time in nanoseconds (arbitrary origin), as {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code task} once, {@code delayNanos} (at least 0) from now, on a thread of the clock's choosing. */
    void schedule(long delayNanos, Runnable task);
}
