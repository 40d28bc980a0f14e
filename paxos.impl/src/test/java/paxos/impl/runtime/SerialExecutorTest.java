package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SerialExecutor}, in particular {@link SerialExecutor#executeHere}, on a real thread pool. */
class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2, EngineThreads.daemon("serial-test"));
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private final SerialExecutor serial = new SerialExecutor(pool, (t, e) -> errors.add(e));

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void anIdleExecutorRunsTheTaskOnTheCallersThread() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        serial.executeHere(() -> ran.set(Thread.currentThread()));
        assertSame(Thread.currentThread(), ran.get());
    }

    @Test
    void aBusyExecutorQueuesTheTaskBehindTheRunningOneInOrder() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        serial.execute(() -> {
            running.countDown();
            awaitLatch(release);
            order.add("first");
        });
        assertTrue(running.await(5, TimeUnit.SECONDS));
        serial.execute(() -> order.add("second"));
        serial.executeHere(() -> {
            ranOn.set(Thread.currentThread());
            order.add("third");
        });
        assertTrue(order.isEmpty(), "nothing may run beside the running task");
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> order.size() == 3);
        assertEquals(List.of("first", "second", "third"), order);
        assertNotSame(Thread.currentThread(), ranOn.get());
    }

    @Test
    void tasksQueuedByTheInlineOnesRunHereUpToTheBoundThenOnThePool() {
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        int total = SerialExecutor.HERE_TASKS_MAX + 5;
        serial.executeHere(() -> {
            threads.add(Thread.currentThread());
            for (int i = 1; i < total; i++) serial.execute(() -> threads.add(Thread.currentThread()));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> threads.size() == total);
        for (int i = 0; i < total; i++) {
            if (i < SerialExecutor.HERE_TASKS_MAX) assertSame(Thread.currentThread(), threads.get(i), "task " + i);
            else assertNotSame(Thread.currentThread(), threads.get(i), "task " + i);
        }
    }

    @Test
    void aFailingInlineTaskIsReportedAndTheNextOnesStillRun() {
        AtomicInteger ran = new AtomicInteger();
        serial.executeHere(() -> {
            serial.execute(ran::incrementAndGet);
            throw new IllegalStateException("boom");
        });
        assertEquals(1, ran.get());
        assertEquals(1, errors.size());
        serial.executeHere(ran::incrementAndGet);
        assertEquals(2, ran.get());
    }

    @Test
    void aShutDownPoolRunsNothingAnyMore() {
        pool.shutdown();
        AtomicInteger ran = new AtomicInteger();
        serial.executeHere(ran::incrementAndGet);
        serial.execute(ran::incrementAndGet);
        assertEquals(0, ran.get(), "a closed group must not go on stepping messages");
    }

    @Test
    void aPoolThatIsNoThreadPoolDecidesWhenTheTaskRuns() {
        List<Runnable> scheduled = new ArrayList<>();
        SerialExecutor events = new SerialExecutor(scheduled::add, (t, e) -> errors.add(e));
        AtomicInteger ran = new AtomicInteger();
        events.executeHere(ran::incrementAndGet);
        assertEquals(0, ran.get(), "the simulator's events run tasks, not the caller");
        assertEquals(1, scheduled.size());
        scheduled.get(0).run();
        assertEquals(1, ran.get());
        assertFalse(errors.iterator().hasNext());
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
