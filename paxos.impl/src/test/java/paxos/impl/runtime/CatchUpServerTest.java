package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;
import paxos.impl.core.CatchUpRead;
import paxos.impl.core.Message;
import paxos.impl.log.InMemoryLogStore;

/**
 * The serving side of catch-up holds a bounded number of bytes per learner and in all, whether
 * the learner reads or not, and a learner that reads still gets a log far larger than the bound.
 */
class CatchUpServerTest {
    private static final int VALUE_BYTES = 64 << 10;
    private static final int INSTANCES = 512; // 32 MiB of values: four times the per-learner bound
    private static final int REPLY_BYTES_MAX = 4 << 20;
    /** The most one reply may carry: its byte bound plus one value. */
    private static final long REPLY_MAX = REPLY_BYTES_MAX + VALUE_BYTES;

    private final InMemoryLogStore store = new InMemoryLogStore();
    /** What the "transport" still holds per learner: nobody drains it unless a test does. */
    private final Map<Integer, Long> queued = new HashMap<>();
    private final List<Message.CatchUpReply> sent = new ArrayList<>();
    private final List<CatchUpRead> compacted = new ArrayList<>();
    private final CatchUpServer server = new CatchUpServer(Runnable::run, peer -> queued.getOrDefault(peer, 0L), compacted::add);

    CatchUpServerTest() {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) records.add(new LogRecord.Chosen(0, i, 1, new byte[VALUE_BYTES]));
        store.append(records).toCompletableFuture().join();
    }

    private void send(Message m) {
        Message.CatchUpReply r = (Message.CatchUpReply) m;
        sent.add(r);
        queued.merge(r.to(), bytes(r), Long::sum);
    }

    private static long bytes(Message.CatchUpReply r) {
        return r.entries().stream().mapToLong(e -> e.value().length).sum();
    }

    private static CatchUpRead request(int learner, long from) {
        return new CatchUpRead(0, 1, learner, from, from + 256, 256, REPLY_BYTES_MAX, INSTANCES - 1);
    }

    @Test
    void aLearnerThatDoesNotReadNeverMakesTheQueueGrowPastTheBound() {
        for (int retry = 0; retry < 100; retry++) server.serve(request(2, 0), store, this::send);
        assertTrue(queued.get(2) <= CatchUpServer.PEER_QUEUED_BYTES_MAX + REPLY_MAX, "queued " + queued.get(2));
        assertEquals(100, server.served() + server.dropped());
        assertTrue(server.dropped() >= 97, "dropped " + server.dropped());
    }

    @Test
    void learnersThatDoNotReadStayWithinTheTotalBound() {
        for (int retry = 0; retry < 20; retry++)
            for (int learner = 2; learner <= 12; learner++) server.serve(request(learner, 0), store, this::send);
        long total = queued.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(total <= CatchUpServer.TOTAL_QUEUED_BYTES_MAX + REPLY_MAX, "queued in all " + total);
        for (long q : queued.values()) assertTrue(q <= CatchUpServer.PEER_QUEUED_BYTES_MAX + REPLY_MAX, "queued " + q);
    }

    @Test
    void aLearnerThatReadsGetsTheWholeLogFarBeyondTheBound() {
        long from = 0;
        long received = 0;
        while (from < INSTANCES) {
            server.serve(request(2, from), store, this::send);
            Message.CatchUpReply r = sent.remove(sent.size() - 1);
            assertTrue(bytes(r) <= REPLY_MAX, "reply of " + bytes(r));
            for (Message.Entry e : r.entries()) assertEquals(from++, e.instance());
            received += bytes(r);
            queued.put(2, 0L); // the learner read it
        }
        assertEquals((long) INSTANCES * VALUE_BYTES, received);
        assertTrue(received > 3 * CatchUpServer.PEER_QUEUED_BYTES_MAX);
        assertEquals(0, server.dropped());
    }

    @Test
    void oneLearnersReadsRunOneAtATimeInOrderAndARetryOfAWaitingRangeIsDropped() {
        List<Runnable> io = new ArrayList<>();
        CatchUpServer later = new CatchUpServer(io::add, peer -> 0, compacted::add);
        later.serve(request(2, 0), store, this::send);
        later.serve(request(2, 0), store, this::send); // the learner's retry while the first waits
        later.serve(request(2, 64), store, this::send); // its next request, pipelined: waits behind the first
        later.serve(request(3, 0), store, this::send); // another learner is served meanwhile
        assertEquals(2, io.size(), "one task per learner at a time");
        assertEquals(1, later.dropped());
        while (!io.isEmpty()) io.remove(0).run();
        assertEquals(List.of(0L, 64L), sent.stream().filter(r -> r.to() == 2).map(r -> r.entries().get(0).instance()).toList(),
                "learner 2 got its ranges in the order asked");
        assertEquals(List.of(3, 2), sent.stream().skip(1).map(Message.CatchUpReply::to).toList(),
                "learner 3 was served before learner 2's second read (a task per read, not per learner)");
        assertEquals(3, later.served());
    }

    @Test
    void aLearnerMayHaveOnlyABoundedNumberOfReadsWaiting() {
        List<Runnable> io = new ArrayList<>();
        CatchUpServer later = new CatchUpServer(io::add, peer -> 0, compacted::add);
        for (int i = 0; i < 3 * CatchUpServer.LEARNER_READS_MAX; i++) later.serve(request(2, i), store, this::send);
        assertEquals(2L * CatchUpServer.LEARNER_READS_MAX, later.dropped());
        while (!io.isEmpty()) io.remove(0).run();
        assertEquals(CatchUpServer.LEARNER_READS_MAX, later.served());
    }

    @Test
    void aRangeThisLogHoldsOnlyAsAcceptedBelowTheChosenPositionIsAnsweredCompacted() {
        // the chosen mark of 600 was lost (appended unsynced, then a crash), yet this node knows 600 chosen
        store.append(List.of(new LogRecord.Accept(0, 600, 1, new byte[8]))).toCompletableFuture().join();
        CatchUpRead read = new CatchUpRead(0, 1, 2, 600, 610, 256, REPLY_BYTES_MAX, 700);
        server.serve(read, store, this::send);
        assertEquals(List.of(read), compacted);
        assertTrue(sent.isEmpty(), "no reply without it");
    }

    @Test
    void aReadStopsNearItsByteBoundInsteadOfReadingEveryEntry() {
        int read = CatchUpServer.readChunked(request(2, 0), store).size();
        int fit = REPLY_BYTES_MAX / VALUE_BYTES;
        assertTrue(read >= fit && read <= fit + 2, "read " + read + " records for a reply of " + fit);
    }
}
