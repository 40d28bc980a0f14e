package paxos.impl.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a group's "event loop" without
 * a thread of its own, so that a node with many groups needs only a few threads; or, through
 * {@link #executeHere}, on the submitting thread while nothing else runs. A task's exception is
 * reported to the handler and does not stop later tasks. Any thread may submit.
 */
final class SerialExecutor implements Executor {
    /** Tasks run per turn before yielding the pool thread to other groups. */
    private static final int TURN_TASKS_MAX = 512;
    /** Tasks one {@link #executeHere} runs on the caller's thread before it hands the rest to the pool. */
    static final int HERE_TASKS_MAX = 16;

    private final Executor pool;
    private final Thread.UncaughtExceptionHandler onError;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    SerialExecutor(Executor pool, Thread.UncaughtExceptionHandler onError) {
        this.pool = pool;
        this.onError = onError;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /**
     * Runs {@code task} on the calling thread if this executor is idle (no turn running or
     * scheduled), followed by the tasks queued meanwhile (it and others may queue some), at most
     * {@value #HERE_TASKS_MAX} in all, then hands what is left to the pool; else queues it as
     * {@link #execute} does. Order and mutual exclusion are those of {@link #execute}.
     *
     * <p>For callers that would only wake a pool thread and then wait for the next event anyway:
     * a log store's completion thread, a transport's event loop. Each hand-off costs a thread
     * wake-up (tens of microseconds on a loaded machine), and a proposal made several of them.
     * The caller's thread then runs the tasks: they must never block. Only over a pool that is an
     * {@link ExecutorService} and not shut down; otherwise the same as {@link #execute} (so the
     * simulator, whose pool runs each task as an event, still decides when every task runs).
     */
    void executeHere(Runnable task) {
        // only over a running thread pool: a shut-down one refuses tasks (the engine closed), and so must
        // this, or a closed group would go on voting; other pools (the simulator's events, which drop a
        // crashed node's tasks) decide themselves when a task runs
        if (!(pool instanceof ExecutorService service) || service.isShutdown() || !scheduled.compareAndSet(false, true)) {
            execute(task);
            return;
        }
        try {
            if (tasks.isEmpty()) {
                run(task);
                runQueued(HERE_TASKS_MAX - 1);
            } else { // queued by a thread that saw this executor busy: those go first
                tasks.add(task);
                runQueued(HERE_TASKS_MAX);
            }
        } finally {
            release();
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            onError.uncaughtException(Thread.currentThread(), t);
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RuntimeException rejected) { // pool shut down: the node is closing
                scheduled.set(false);
                tasks.clear();
            }
        }
    }

    private void drain() {
        try {
            runQueued(TURN_TASKS_MAX);
        } finally {
            release();
        }
    }

    /** Runs up to {@code max} queued tasks on this thread, in order. */
    private void runQueued(int max) {
        for (int n = 0; n < max; n++) {
            Runnable task = tasks.poll();
            if (task == null) return;
            run(task);
        }
    }

    /** Ends a turn; a task queued meanwhile (whose execute saw the turn running) starts the next. */
    private void release() {
        scheduled.set(false);
        if (!tasks.isEmpty()) schedule();
    }
}
