package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.GroupUnavailableException;
import paxos.api.ReadConsistency;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/**
 * Fast "no quorum" answers: a node that can reach no quorum refuses new writes and LINEARIZABLE
 * reads at once with {@link GroupUnavailableException} (nothing proposed), within a few election
 * timeouts of losing its peers; STALE reads still answer; once peers are back it serves again.
 */
class NoQuorumTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3));
    private final Engine[] engines = new Engine[4];

    private void startAll() {
        for (int node = 1; node <= 3; node++) {
            EngineConfig config = EngineConfig.builder(node, MEMBERS).dataDir(Path.of("unused")).groupCount(1).tickMillis(5).build();
            Engine e = new Engine(config, new InMemoryLogStore(), network.transport(node));
            e.register(0, 1, "recording", new RecordingStateMachine());
            e.start();
            engines[node] = e;
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    private CompletableFuture<?> write(int node, String v) {
        return engines[node].propose(0, 1, v.getBytes()).toCompletableFuture();
    }

    private static boolean refusedAtOnce(CompletableFuture<?> f) {
        if (!f.isCompletedExceptionally()) return false;
        try {
            f.join();
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof GroupUnavailableException;
        }
    }

    @Test
    void aNodeLeftAloneRefusesWritesAndLinearizableReadsAtOnceButServesStaleReads() {
        startAll();
        write(1, "first").orTimeout(30, TimeUnit.SECONDS).join();
        network.isolate(2); // both peers gone (the in-process transport's links of a closed engine stay "up")
        network.isolate(3);
        long cutAt = System.nanoTime();
        // each poll proposes; until the node knows, proposals queue (and later time out): harmless here
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> refusedAtOnce(write(1, "w")));
        long refusedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
        System.out.println("NoQuorumTest: node 1 refused writes " + refusedAfterMillis + " ms after losing both peers (election timeout "
                + engines[1].config().electionTicks() * engines[1].config().tickMillis() + " ms)");
        CompletableFuture<Long> lin = engines[1].readBarrier(0, ReadConsistency.LINEARIZABLE).toCompletableFuture();
        assertTrue(lin.isCompletedExceptionally());
        assertInstanceOf(GroupUnavailableException.class, assertThrowsCause(lin));
        assertTrue(engines[1].readBarrier(0, ReadConsistency.STALE).toCompletableFuture().join() >= 0, "STALE reads answer");
        assertFalse(engines[1].quorumReachable(0), "status says so");
    }

    @Test
    void anIsolatedNodeRefusesThenServesAgainAfterTheHeal() {
        startAll();
        write(1, "first").orTimeout(30, TimeUnit.SECONDS).join();
        network.isolate(2);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> refusedAtOnce(write(2, "w")));
        // node 2 may have led: a write forwarded to it just before the cut is re-forwarded to the new leader
        write(1, "healthy side").orTimeout(30, TimeUnit.SECONDS).join();
        network.heal(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> engines[2].quorumReachable(0));
        try {
            write(2, "after heal").orTimeout(30, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw new AssertionError("node 2: " + engines[2].status(0) + "\nnode 1: " + engines[1].status(0)
                    + "\nnode 3: " + engines[3].status(0), e);
        }
    }

    private static Throwable assertThrowsCause(CompletableFuture<?> f) {
        try {
            f.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
