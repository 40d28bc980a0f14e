package paxos.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Chosen;
import paxos.api.spi.log.LogRecord.Meta;
import paxos.api.spi.log.LogRecord.Promise;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogUnavailableException;

/**
 * The contract every {@link LogStore} must keep, as one JUnit 5 suite. Extend it, implement
 * {@link #open()} (a fresh, empty store) and {@link #reopen(LogStore)} (close the given store and
 * open its data again, as after a process restart), and the suite runs against the
 * implementation. Stores it opens are closed after each test.
 */
public abstract class LogStoreContract {
    private final List<LogStore> opened = new ArrayList<>();

    /** A new, empty store. Called once or more per test. */
    protected abstract LogStore createStore();

    /** Closes {@code store} and opens the same data again (durability after a restart). */
    protected abstract LogStore reopenStore(LogStore store);

    protected final LogStore open() {
        LogStore s = createStore();
        opened.add(s);
        return s;
    }

    protected final LogStore reopen(LogStore store) {
        LogStore s = reopenStore(store);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        for (LogStore s : opened) s.close();
    }

    /** Appends and waits until durable. */
    protected static void write(LogStore store, LogRecord... records) {
        store.append(List.of(records)).toCompletableFuture().join();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(InstanceRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    @Test
    void emptyStoreHoldsNothing() {
        LogStore store = open();
        assertTrue(store.range(1).isEmpty());
        assertEquals(new LogRange(0, 0), store.range(1));
        assertTrue(store.read(1, 0).isEmpty());
        assertTrue(store.readRange(1, 0, 100, 10).isEmpty());
        assertEquals(0, store.promisedBallot(1));
        assertTrue(store.meta(1, "k").isEmpty());
    }

    @Test
    void acceptIsReadBackNotChosen() {
        LogStore store = open();
        write(store, new Accept(1, 5, 7, bytes("v5")));
        InstanceRecord r = store.read(1, 5).orElseThrow();
        assertEquals(1, r.group());
        assertEquals(5, r.instance());
        assertEquals(7, r.ballot());
        assertEquals("v5", text(r));
        assertFalse(r.chosen());
        assertTrue(store.read(1, 4).isEmpty(), "a missing instance is not found");
        assertEquals(new LogRange(0, 6), store.range(1));
    }

    @Test
    void laterAcceptReplacesEarlierOne() {
        LogStore store = open();
        write(store, new Accept(1, 0, 1, bytes("a")), new Accept(1, 0, 2, bytes("b")));
        InstanceRecord r = store.read(1, 0).orElseThrow();
        assertEquals(2, r.ballot());
        assertEquals("b", text(r));
    }

    @Test
    void chosenAfterAcceptOfSameBallotKeepsTheValue() {
        LogStore store = open();
        write(store, new Accept(1, 0, 3, bytes("x")));
        write(store, new Chosen(1, 0, 3, bytes("x")));
        InstanceRecord r = store.read(1, 0).orElseThrow();
        assertTrue(r.chosen());
        assertEquals(3, r.ballot());
        assertEquals("x", text(r));
    }

    @Test
    void unsyncedAppendIsReadableAtOnceOrderedAndKeptAcrossACleanReopen() {
        LogStore store = open();
        write(store, new Accept(1, 0, 3, bytes("x")));
        store.appendUnsynced(List.of(new Chosen(1, 0, 3, bytes("x")), new Meta(1, "k", bytes("m"))))
                .toCompletableFuture().join();
        write(store, new Accept(1, 1, 3, bytes("y"))); // a later synced append covers the unsynced one
        assertTrue(store.read(1, 0).orElseThrow().chosen());
        LogStore again = reopen(store);
        assertTrue(again.read(1, 0).orElseThrow().chosen());
        assertEquals("m", new String(again.meta(1, "k").orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("y", text(again.read(1, 1).orElseThrow()));
    }

    @Test
    void chosenWithAnotherBallotStoresItsOwnValue() {
        LogStore store = open();
        write(store, new Accept(1, 0, 3, bytes("old")));
        write(store, new Chosen(1, 0, 4, bytes("new")));
        InstanceRecord r = store.read(1, 0).orElseThrow();
        assertTrue(r.chosen());
        assertEquals(4, r.ballot());
        assertEquals("new", text(r));
    }

    @Test
    void chosenIsFinal() {
        LogStore store = open();
        write(store, new Chosen(1, 0, 4, bytes("chosen")));
        write(store, new Accept(1, 0, 9, bytes("late")));
        InstanceRecord r = store.read(1, 0).orElseThrow();
        assertTrue(r.chosen());
        assertEquals("chosen", text(r));
    }

    @Test
    void readRangeIsOrderedSkipsGapsAndStopsAtMaxCount() {
        LogStore store = open();
        for (long i : new long[] {1, 2, 4, 7, 8, 9}) write(store, new Accept(2, i, 1, bytes("v" + i)));
        List<InstanceRecord> all = store.readRange(2, 0, 100, 100);
        assertEquals(List.of(1L, 2L, 4L, 7L, 8L, 9L), all.stream().map(InstanceRecord::instance).toList());
        List<InstanceRecord> window = store.readRange(2, 2, 9, 3);
        assertEquals(List.of(2L, 4L, 7L), window.stream().map(InstanceRecord::instance).toList());
        assertEquals("v4", text(window.get(1)));
        assertEquals(List.of(8L), store.readRange(2, 8, 9, 10).stream().map(InstanceRecord::instance).toList());
        assertTrue(store.readRange(2, 10, 20, 10).isEmpty());
        assertTrue(store.readRange(2, 0, 100, 0).isEmpty());
    }

    @Test
    void groupsAreSeparate() {
        LogStore store = open();
        write(store, new Accept(1, 0, 1, bytes("g1")), new Accept(2, 0, 1, bytes("g2")), new Promise(2, 9));
        assertEquals("g1", text(store.read(1, 0).orElseThrow()));
        assertEquals("g2", text(store.read(2, 0).orElseThrow()));
        assertEquals(0, store.promisedBallot(1));
        assertEquals(9, store.promisedBallot(2));
        assertTrue(store.read(3, 0).isEmpty());
    }

    @Test
    void promiseOnlyGrows() {
        LogStore store = open();
        write(store, new Promise(1, 5));
        write(store, new Promise(1, 3));
        assertEquals(5, store.promisedBallot(1));
        write(store, new Promise(1, 8));
        assertEquals(8, store.promisedBallot(1));
    }

    @Test
    void metaIsPutReplacedAndDeleted() {
        LogStore store = open();
        write(store, new Meta(1, "members", bytes("a,b,c")));
        assertArrayEquals(bytes("a,b,c"), store.meta(1, "members").orElseThrow());
        write(store, new Meta(1, "members", bytes("a,b")));
        assertArrayEquals(bytes("a,b"), store.meta(1, "members").orElseThrow());
        assertTrue(store.meta(2, "members").isEmpty());
        write(store, new Meta(1, "members", new byte[0]));
        assertTrue(store.meta(1, "members").isEmpty());
    }

    @Test
    void recordsOfOneCallApplyInOrder() {
        LogStore store = open();
        write(store, new Accept(1, 0, 1, bytes("first")), new Chosen(1, 0, 1, bytes("first")), new Accept(1, 0, 2, bytes("x")));
        InstanceRecord r = store.read(1, 0).orElseThrow();
        assertTrue(r.chosen());
        assertEquals("first", text(r));
    }

    @Test
    void valueOverTheLimitIsRejectedBeforeWriting() {
        LogStore store = open();
        byte[] big = new byte[store.maxValueBytes() + 1];
        try {
            store.append(List.of(new Accept(1, 0, 1, big))).toCompletableFuture().join();
            fail("an oversized value must be rejected");
        } catch (IllegalArgumentException | CompletionException e) {
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            assertTrue(cause instanceof IllegalArgumentException, "IllegalArgumentException expected, got " + cause);
        }
        assertTrue(store.read(1, 0).isEmpty());
        write(store, new Accept(1, 0, 1, new byte[store.maxValueBytes()]));
        assertEquals(store.maxValueBytes(), store.read(1, 0).orElseThrow().value().length);
    }

    @Test
    void retentionMakesLowerInstancesCompacted() {
        LogStore store = open();
        for (long i = 0; i < 100; i++) write(store, new Accept(1, i, 1, bytes("v" + i)));
        write(store, new Accept(2, 0, 1, bytes("other")));
        store.retainFrom(1, 50);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.range(1).minRetained() == 50);
        assertEquals(new LogRange(50, 100), store.range(1));
        assertThrows(LogCompactedException.class, () -> store.read(1, 49));
        assertThrows(LogCompactedException.class, () -> store.readRange(1, 10, 60, 5));
        assertEquals("v50", text(store.read(1, 50).orElseThrow()));
        assertEquals(50, store.readRange(1, 50, 200, 1000).size());
        assertEquals("other", text(store.read(2, 0).orElseThrow()), "other groups keep their records");
        store.retainFrom(1, 10);
        assertEquals(50, store.range(1).minRetained(), "retention never lowers");
    }

    @Test
    void closedStoreRefusesWork() {
        LogStore store = open();
        store.close();
        store.close();
        CompletableFuture<Void> f = store.append(List.of(new Promise(1, 1))).toCompletableFuture();
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertTrue(e.getCause() instanceof LogUnavailableException, "got " + e.getCause());
        assertThrows(LogUnavailableException.class, () -> store.read(1, 0));
    }

    @Test
    void concurrentAppendsAreAllKept() throws Exception {
        LogStore store = open();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int group = t;
                done.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> stages = new ArrayList<>();
                    for (long i = 0; i < 200; i++) {
                        stages.add(store.append(List.of(new Accept(group, i, 1, bytes(group + ":" + i)))).toCompletableFuture());
                    }
                    stages.forEach(CompletableFuture::join);
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        for (int g = 0; g < 8; g++) {
            assertEquals(new LogRange(0, 200), store.range(g));
            assertEquals(g + ":199", text(store.read(g, 199).orElseThrow()));
        }
        assertTrue(store.stats().recordsAppended() >= 1600);
    }

    @Test
    void everythingAcknowledgedSurvivesAReopen() {
        LogStore store = open();
        write(store, new Promise(1, 11), new Meta(1, "cluster", bytes("id-1")));
        for (long i = 0; i < 20; i++) write(store, new Accept(1, i, 11, bytes("v" + i)));
        write(store, new Chosen(1, 3, 11, bytes("v3")), new Chosen(1, 4, 12, bytes("w4")));
        write(store, new Accept(2, 0, 1, bytes("g2")), new Meta(2, "gone", bytes("x")), new Meta(2, "gone", new byte[0]));
        store.retainFrom(1, 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.range(1).minRetained() == 2);

        LogStore again = reopen(store);
        assertEquals(11, again.promisedBallot(1));
        assertArrayEquals(bytes("id-1"), again.meta(1, "cluster").orElseThrow());
        assertTrue(again.meta(2, "gone").isEmpty());
        assertEquals(new LogRange(2, 20), again.range(1));
        assertThrows(LogCompactedException.class, () -> again.read(1, 1));
        InstanceRecord three = again.read(1, 3).orElseThrow();
        assertTrue(three.chosen());
        assertEquals("v3", text(three));
        InstanceRecord four = again.read(1, 4).orElseThrow();
        assertTrue(four.chosen());
        assertEquals(12, four.ballot());
        assertEquals("w4", text(four));
        assertFalse(again.read(1, 5).orElseThrow().chosen());
        assertEquals("v19", text(again.read(1, 19).orElseThrow()));
        assertEquals("g2", text(again.read(2, 0).orElseThrow()));
        write(again, new Accept(1, 20, 11, bytes("v20")));
        assertEquals(new LogRange(2, 21), again.range(1));
    }
}
