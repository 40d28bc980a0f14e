package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when told to; its timers run then, on the test's thread. */
final class ManualClock implements RuntimeClock {
    private long now;
    private final List<long[]> due = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void schedule(long delayNanos, Runnable task) {
        due.add(new long[] {now + delayNanos});
        tasks.add(task);
    }

    /** Timers scheduled and not yet run. */
    int timers() {
        return tasks.size();
    }

    void advance(long nanos) {
        now += nanos;
        for (int i = 0; i < tasks.size(); i++) {
            if (due.get(i)[0] <= now) {
                Runnable t = tasks.remove(i);
                due.remove(i--);
                t.run();
            }
        }
    }
}
