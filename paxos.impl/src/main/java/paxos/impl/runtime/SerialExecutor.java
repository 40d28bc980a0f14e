package paxos.impl.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a group's "event loop" without
 * a thread of its own, so that a node with many groups needs only a few threads. A task's
 * exception is reported to the handler and does not stop later tasks.
 */
final class SerialExecutor implements Executor {
    /** Tasks run per turn before yielding the pool thread to other groups. */
    private static final int TURN_TASKS_MAX = 512;

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
            for (int n = 0; n < TURN_TASKS_MAX; n++) {
                Runnable task = tasks.poll();
                if (task == null) break;
                try {
                    task.run();
                } catch (Throwable t) {
                    onError.uncaughtException(Thread.currentThread(), t);
                }
            }
        } finally {
            scheduled.set(false);
            if (!tasks.isEmpty()) schedule();
        }
    }
}
