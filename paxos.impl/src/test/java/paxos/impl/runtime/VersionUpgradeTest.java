package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.GroupState;
import paxos.api.Proposed;
import paxos.api.StateMachineInfo;
import paxos.api.UnknownStateMachineException;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/** A rolling upgrade through the log: install side by side, activate, hand over; a node without the version waits. */
class VersionUpgradeTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private static final int ID = 7;
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3));
    private final Engine[] engines = new Engine[4];
    private final SharedFiles[] files = new SharedFiles[4];

    /** What both versions of a node read and write: "the data directory" (state + position, durable at once). */
    static final class SharedFiles {
        final List<String> applied = new ArrayList<>();
        long position = -1;

        synchronized List<String> snapshot() {
            return List.copyOf(applied);
        }
    }

    /** One version of the state machine over the node's shared files; tags each command with its version. */
    record Versioned(String version, SharedFiles files) implements StateMachine {
        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            synchronized (files) {
                if (batch.instance() <= files.position) return; // idempotent by position
                for (Command c : batch.commands()) files.applied.add(version + ":" + new String(c.value()));
                files.position = batch.instance();
            }
        }

        @Override
        public long checkpointInstance(int group) {
            synchronized (files) {
                return files.position;
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    private void startAll() {
        for (int node = 1; node <= 3; node++) {
            EngineConfig config = EngineConfig.builder(node, MEMBERS)
                    .dataDir(Path.of("unused")).groupCount(1).tickMillis(5).build();
            Engine e = new Engine(config, new InMemoryLogStore(), network.transport(node));
            files[node] = new SharedFiles();
            e.register(List.of(0), ID, "1.1", "counter", new Versioned("1.1", files[node]));
            e.start();
            engines[node] = e;
        }
    }

    private static Proposed done(CompletionStage<Proposed> s) {
        return s.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static String versionInForce(Engine e) {
        return e.status(0).stateMachines().stream().filter(i -> i.id() == ID && i.state() != StateMachineInfo.State.STANDBY)
                .map(i -> String.valueOf(i.version())).findFirst().orElse(null);
    }

    @Test
    void afterAnActivationNobodyExecutesANewCommandWithTheOldVersion() {
        startAll();
        for (int n = 1; n <= 3; n++) {
            Engine e = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> "1.1".equals(versionInForce(e))); // the automatic first activation
        }
        for (int i = 0; i < 5; i++) done(engines[1 + i % 3].propose(0, ID, ("old" + i).getBytes()));

        // node 3 is upgraded first: 1.2 installed side by side changes nothing by itself
        engines[3].register(List.of(0), ID, "1.2", "counter", new Versioned("1.2", files[3]));
        await().atMost(Duration.ofSeconds(10)).until(() -> engines[3].status(0).stateMachines().stream()
                .anyMatch(i -> i.state() == StateMachineInfo.State.STANDBY && "1.2".equals(i.version())));
        done(engines[3].propose(0, ID, "still-old".getBytes()));
        assertEquals("1.1:still-old", files[3].snapshot().get(5));

        CompletionException unknown = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> engines[1].activateVersion(ID, "1.2").get(0).toCompletableFuture().join());
        assertInstanceOf(UnknownStateMachineException.class, unknown.getCause(), "node 1 has no 1.2 to activate");

        Map<Integer, CompletionStage<String>> activated = engines[3].activateVersion(ID, "1.2");
        assertEquals("1.2", activated.get(0).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());
        // before: the new command ran with 1.1 on nodes 1 and 2 and with 1.2 on node 3; the states differed for ever
        done(engines[3].propose(0, ID, "new".getBytes()));
        assertEquals("1.2:new", files[3].snapshot().get(6), "node 3 handed over to 1.2 at the switch");
        for (int n = 1; n <= 2; n++) {
            Engine e = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> e.status(0).state() == GroupState.WAITING);
            assertEquals(List.of(ID), e.status(0).waitingFor());
            assertTrue(e.status(0).stateMachines().stream().anyMatch(i -> i.state() == StateMachineInfo.State.WAITING
                    && "1.2".equals(i.version())), "status names the version it waits for");
            assertEquals(6, files[n].snapshot().size(), "1.1 never executes the new command");
        }

        // the rest of the rolling upgrade: 1.2 arrives on nodes 1 and 2 and takes over from where 1.1 stopped
        for (int n = 1; n <= 2; n++) engines[n].register(List.of(0), ID, "1.2", "counter", new Versioned("1.2", files[n]));
        for (int n = 1; n <= 2; n++) {
            SharedFiles f = files[n];
            Engine e = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> f.snapshot().size() == 7 && e.status(0).state() == GroupState.RUNNING);
        }
        assertEquals(files[3].snapshot(), files[1].snapshot());
        assertEquals(files[3].snapshot(), files[2].snapshot());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) expected.add("1.1:old" + i);
        expected.addAll(List.of("1.1:still-old", "1.2:new"));
        assertEquals(expected, files[1].snapshot(), "each command executed once, by the version in force at its position");
    }
}
