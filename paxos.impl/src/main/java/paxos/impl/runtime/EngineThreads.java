package paxos.impl.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's four thread pools, created together and shut down together:
 * <ul>
 *   <li>{@link #loop()}: runs the group runners' event loops (the pure cores), one turn at a time per group;
 *   <li>{@link #exec()}: runs state machines, one serial queue per group;
 *   <li>{@link #io()}: catch-up reads from the log store (serving lagging peers), two threads for
 *       all groups, so a long read never holds an event loop;
 *   <li>{@link #clock()}: the one timer that ticks every group.
 * </ul>
 * Every thread is a daemon, so a forgotten engine never holds the JVM open.
 *
 * <p><b>Threads.</b> Created and closed by the engine's owner thread (construction, close);
 * the getters from any thread. {@link #close} never throws; it waits at most 5 s for the loop
 * and execution pools each, then leaves stragglers running (they hold no lock of the caller).
 */
final class EngineThreads implements AutoCloseable {
    private final ExecutorService loop;
    private final ExecutorService exec;
    private final ExecutorService io;
    private final ScheduledExecutorService clock;

    /** Sizes the loop and execution pools by the processors available (at least 2 each). */
    EngineThreads() {
        int cores = Runtime.getRuntime().availableProcessors();
        this.loop = Executors.newFixedThreadPool(Math.max(2, cores), daemon("paxos-loop"));
        this.exec = Executors.newFixedThreadPool(Math.max(2, cores), daemon("paxos-exec"));
        this.io = Executors.newFixedThreadPool(2, daemon("paxos-io"));
        this.clock = Executors.newSingleThreadScheduledExecutor(daemon("paxos-clock"));
    }

    ExecutorService loop() { return loop; }

    ExecutorService exec() { return exec; }

    ExecutorService io() { return io; }

    ScheduledExecutorService clock() { return clock; }

    /**
     * Stops the clock (no new ticks; a no-op if the caller stopped it first, before closing what
     * uses the pools), then the pools; queued loop and execution work may finish.
     */
    @Override
    public void close() {
        clock.shutdownNow();
        loop.shutdown();
        exec.shutdown();
        io.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Daemon threads named {@code name-1, name-2, ...}. */
    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
