package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.Ballot;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.Message;
import paxos.impl.log.InMemoryLogStore;

/**
 * A node never takes values faster than its disk does: while the store has not completed the
 * appends of what it learned or accepted (a disk slower than the network), catch-up replies and
 * accepts are dropped (the learner asks again, the leader sends again), so what waits in the store's
 * write queue stays bounded — beyond the store's bound its appends are refused, and a refused append
 * stops the group (found with {@code bench catchup}: "write queue full (153 records, 66483042 bytes
 * queued)").
 */
class CatchUpBacklogTest {
    private static final int MIB = 1 << 20;

    /** A store whose appends, synced or not, complete only when the test says so (a stalled disk). */
    static final class StalledStore {
        final List<CompletableFuture<Void>> held = new ArrayList<>();
        long heldValueBytes;
        final LogStore store;

        @SuppressWarnings("unchecked")
        StalledStore() {
            InMemoryLogStore inner = new InMemoryLogStore();
            store = (LogStore) Proxy.newProxyInstance(LogStore.class.getClassLoader(), new Class<?>[] {LogStore.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "append", "appendUnsynced" -> {
                            List<LogRecord> records = (List<LogRecord>) args[0];
                            heldValueBytes += ReadyPipeline.valueBytes(records);
                            CompletableFuture<Void> f = new CompletableFuture<>();
                            inner.append(records);
                            held.add(f);
                            yield f;
                        }
                        default -> method.invoke(inner, args);
                    });
        }

        void releaseAll() {
            for (CompletableFuture<Void> f : List.copyOf(held)) f.complete(null);
        }
    }

    /** One chosen instance of about one MiB, as a peer's catch-up reply carries it. */
    private static Message.CatchUpReply reply(long instance) {
        byte[] value = BatchCodec.encode(List.of(new BatchCommand(1, -1, 1, instance + 1, new byte[MIB])));
        return new Message.CatchUpReply(0, 1, 3, List.of(new Message.Entry(instance, Ballot.of(1, 1), value, true)), 1_000);
    }

    private static GroupRunner learner(LogStore store) {
        return GroupRunnerTimeTest.runner(3, store, new ArrayList<>(), new ManualClock(), Durability.Rule.PRODUCTION,
                Early.PRODUCTION);
    }

    @Test
    void aStalledDiskBoundsWhatALearnerAppends() {
        StalledStore disk = new StalledStore();
        GroupRunner r = learner(disk.store);
        for (long i = 0; i < 100; i++) r.receive(reply(i)); // 100 MiB arrive while nothing is durable
        long bound = GroupRunner.CATCH_UP_HOLD_BYTES_MAX + 2L * MIB; // the bound plus the reply that crossed it
        assertTrue(disk.heldValueBytes <= bound, "appended while the disk stalled: " + disk.heldValueBytes + " > " + bound);
        assertTrue(disk.heldValueBytes >= GroupRunner.CATCH_UP_HOLD_BYTES_MAX, "held too early: " + disk.heldValueBytes);
        long learned = r.backlogBytes();
        assertTrue(learned > 0 && learned <= bound, "backlog " + learned);

        disk.releaseAll(); // the disk catches up: nothing is on its way any more
        assertNull(r.failure());
        long before = disk.heldValueBytes;
        r.receive(reply(100)); // (nothing executes these values: no state machine is registered)
        assertEquals(before, disk.heldValueBytes, "the values wait for execution now, which holds as before");
    }

    @Test
    void groupsCatchingUpTogetherShareOneBoundOnTheNodesDisk() {
        AtomicLong node = new AtomicLong();
        StalledStore disk = new StalledStore(); // one store per node, as in production
        GroupRunner a = learner(disk.store);
        GroupRunner b = learner(disk.store);
        a.countNodeWritesIn(node);
        b.countNodeWritesIn(node);
        for (long i = 0; i < 20; i++) a.receive(reply(i)); // 20 MiB: under a group's own bound
        for (long i = 0; i < 40; i++) b.receive(reply(i));
        long bound = GroupRunner.NODE_WRITING_DROP_BYTES + 2L * MIB;
        assertTrue(disk.heldValueBytes <= bound, "appended by the node while its disk stalled: " + disk.heldValueBytes);
        assertEquals(disk.heldValueBytes, node.get());
        disk.releaseAll();
        assertEquals(0, node.get(), "every completed append is counted out");
    }

    @Test
    void aFollowerWithAStalledDiskDropsAcceptsBeyondTheNodesBound() {
        StalledStore disk = new StalledStore();
        GroupRunner follower = GroupRunnerTimeTest.runner(2, disk.store, new ArrayList<>(), new ManualClock(),
                Durability.Rule.PRODUCTION, Early.PRODUCTION);
        for (long i = 0; i < 60; i++) { // a leader whose other follower is fast goes on proposing
            byte[] value = BatchCodec.encode(List.of(new BatchCommand(1, -1, 1, i + 1, new byte[MIB])));
            follower.receive(new Message.Accept(0, 1, 2, Ballot.of(1, 1), i, value, -1));
        }
        long bound = GroupRunner.NODE_WRITING_DROP_BYTES + 2L * MIB;
        assertTrue(disk.heldValueBytes <= bound, "accepted while the disk stalled: " + disk.heldValueBytes);
        disk.releaseAll();
        assertNull(follower.failure());
    }
}
