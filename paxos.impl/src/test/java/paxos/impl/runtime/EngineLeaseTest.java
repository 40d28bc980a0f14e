package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.MasterInfo;
import paxos.api.NotMasterException;
import paxos.api.ReadConsistency;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/** Master leases in the runtime: three engines over an in-process network and in-memory logs. */
class EngineLeaseTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3));
    private final InMemoryLogStore[] stores = new InMemoryLogStore[4];
    private final Engine[] engines = new Engine[4];

    private void start(int node) {
        EngineConfig config = EngineConfig.builder(node, MEMBERS)
                .dataDir(Path.of("unused")).groupCount(1).tickMillis(5).build();
        if (stores[node] == null) stores[node] = new InMemoryLogStore();
        Engine e = new Engine(config, stores[node], network.transport(node));
        e.register(0, 1, "recording", new RecordingStateMachine());
        e.start();
        engines[node] = e;
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }

    private static Throwable failure(CompletionStage<?> stage) {
        return stage.toCompletableFuture().handle((v, e) -> e).orTimeout(20, TimeUnit.SECONDS).join();
    }

    @Test
    void takeoverIsNotProposedWhileTheMastersLeaseMayRun() {
        for (int n = 1; n <= 3; n++) start(n);
        MasterInfo m1 = join(engines[1].claimMaster(0, -1, 60_000));
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[2].master(0).equals(m1));
        assertEquals(m1, join(engines[2].claimMaster(0, m1.version(), 60_000)), "lost without reaching the log");
        assertTrue(join(engines[1].readBarrier(0, ReadConsistency.LEASE)) >= m1.version());
        assertTrue(failure(engines[2].readBarrier(0, ReadConsistency.LEASE)) instanceof NotMasterException);
        MasterInfo renewed = join(engines[1].claimMaster(0, m1.version(), 60_000));
        assertEquals(m1.version(), renewed.version(), "a renewal keeps the version");
        assertTrue(engines[1].leaseRemainingMillis(0) > 50_000);
        assertTrue(engines[2].leaseRemainingMillis(0) > 50_000, "node 2 waits for the renewed lease");
    }

    @Test
    void aRestartedMasterHoldsNoLeaseUntilItClaimsAgain() {
        for (int n = 1; n <= 3; n++) start(n);
        MasterInfo m1 = join(engines[1].claimMaster(0, -1, 300));
        engines[1].close();
        stores[1] = stores[1].reopen();
        start(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[1].master(0).equals(m1));
        assertTrue(failure(engines[1].readBarrier(0, ReadConsistency.LEASE)) instanceof NotMasterException,
                "leases are in memory: a restart forgets it");
        // after one lease + margin since its restart, it may claim again (a renewal: same version)
        await().atMost(Duration.ofSeconds(20)).until(() -> join(engines[1].claimMaster(0, m1.version(), 300)).nodeId() == 1
                && engines[1].leaseRemainingMillis(0) > 0);
        assertEquals(m1.version(), engines[1].master(0).version());
    }

    @Test
    void aLapsedMasterLosesItsLeaseReadsAndAnotherTakesOver() {
        for (int n = 1; n <= 3; n++) start(n);
        MasterInfo m1 = join(engines[1].claimMaster(0, -1, 200));
        await().atMost(Duration.ofSeconds(20)).until(() -> failure(engines[1].readBarrier(0, ReadConsistency.LEASE)) != null);
        await().atMost(Duration.ofSeconds(20)).until(() -> join(engines[3].claimMaster(0, m1.version(), 200)).nodeId() == 3);
        CompletableFuture<Long> read = engines[3].readBarrier(0, ReadConsistency.LEASE).toCompletableFuture();
        assertTrue(join(read) >= engines[3].master(0).version(), "the new master executed its own claim");
    }
}
