package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.GroupState;
import paxos.api.Proposed;
import paxos.api.StateMachineInfo;
import paxos.api.UnknownStateMachineException;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/**
 * A state machine the platform did not write cannot wedge the cluster: unknown IDs are refused at
 * propose time, a second service with an ID in force is refused (and removing the older one hands
 * over instead of unregistering the newer), and an exception stops only that state machine until
 * a fixed one registers and replays the log.
 */
class StateMachineContainmentTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3));
    private final Engine[] engines = new Engine[4];
    private final StateMachineRegistry.Registration[] first = new StateMachineRegistry.Registration[4];

    /** Throws from execute on a command "poison" (on every node: the same code everywhere). */
    static final class PoisonSensitive extends RecordingStateMachine {
        @Override
        public synchronized void execute(ExecutionBatch batch, ExecutionResults results) {
            if (batch.commands().stream().anyMatch(c -> new String(c.value()).equals("poison")))
                throw new IllegalStateException("cannot digest poison");
            super.execute(batch, results);
        }
    }

    private void startAll(java.util.function.IntFunction<RecordingStateMachine> machineOfNode) {
        for (int node = 1; node <= 3; node++) {
            EngineConfig config = EngineConfig.builder(node, MEMBERS)
                    .dataDir(Path.of("unused")).groupCount(2).tickMillis(5).build();
            Engine e = new Engine(config, new InMemoryLogStore(), network.transport(node));
            first[node] = e.register(0, 1, "first", machineOfNode.apply(node));
            e.register(1, 1, "other-group", new RecordingStateMachine());
            e.start();
            engines[node] = e;
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    private static Proposed done(CompletionStage<Proposed> s) {
        return s.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static StateMachineInfo info(Engine e, int group, int id, StateMachineInfo.State state) {
        return e.status(group).stateMachines().stream().filter(i -> i.id() == id && i.state() == state).findFirst().orElse(null);
    }

    @Test
    void aProposalToAnUnregisteredIdIsRefusedAndTheGroupKeepsExecuting() {
        startAll(n -> new RecordingStateMachine());
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> done(engines[1].propose(0, 99, "nobody executes this".getBytes())));
        assertInstanceOf(UnknownStateMachineException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("99"), e.getCause().getMessage());
        // before: the command entered the log and every replica waited for state machine 99 for ever
        done(engines[2].propose(0, 1, "still executing".getBytes()));
        for (int n = 1; n <= 3; n++) {
            Engine engine = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.status(0).executedInstance() >= 0);
            assertEquals(GroupState.RUNNING, engine.status(0).state());
            assertEquals(List.of(), engine.status(0).waitingFor());
        }
    }

    @Test
    void twoServicesWithOneIdRemovingTheOlderHandsOverToTheNewer() {
        RecordingStateMachine[] olders = new RecordingStateMachine[4];
        startAll(n -> olders[n] = new RecordingStateMachine());
        for (int i = 0; i < 20; i++) done(engines[1 + i % 3].propose(0, 1, ("a" + i).getBytes()));
        RecordingStateMachine newer = new RecordingStateMachine();
        StateMachineRegistry.Registration second = engines[1].register(0, 1, "second", newer);
        assertNotNull(info(engines[1], 0, 1, StateMachineInfo.State.REFUSED), "shown as a refused duplicate");
        done(engines[1].propose(0, 1, "while refused".getBytes()));
        assertEquals(0, newer.size(), "a refused duplicate executes nothing");

        // before: removal worked by ID and unregistered the newer one; the group then WAITED for ever
        engines[1].unregister(first[1]).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        for (int i = 0; i < 20; i++) done(engines[1].propose(0, 1, ("b" + i).getBytes()));
        await().atMost(Duration.ofSeconds(20)).until(() -> newer.size() == 41 && olders[2].size() == 41);
        assertEquals(olders[2].snapshot(), newer.snapshot(), "the newer replayed the log from its checkpoint and went on");
        assertEquals(21, olders[1].size(), "the older got nothing after its removal");
        assertEquals(GroupState.RUNNING, engines[1].status(0).state());
        assertNotNull(info(engines[1], 0, 1, StateMachineInfo.State.RUNNING));

        // removing a registration that is no longer in force is a no-op, never a removal by ID
        engines[1].unregister(first[1]).toCompletableFuture().join();
        done(engines[1].propose(0, 1, "c".getBytes()));
        await().atMost(Duration.ofSeconds(10)).until(() -> newer.size() == 42);
        engines[1].unregister(second).toCompletableFuture().join();
    }

    @Test
    void aThrowingStateMachineStopsOnlyItselfAndResumesWhenAFixedOneRegisters() {
        RecordingStateMachine[] sensitive = new RecordingStateMachine[4];
        startAll(n -> sensitive[n] = new PoisonSensitive());
        for (int i = 0; i < 10; i++) done(engines[1].propose(0, 1, ("before" + i).getBytes()));
        engines[1].propose(0, 1, "poison".getBytes()); // never completes until a fixed state machine executes it
        for (int n = 1; n <= 3; n++) {
            Engine engine = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> info(engine, 0, 1, StateMachineInfo.State.FAILED) != null);
            StateMachineInfo failed = info(engine, 0, 1, StateMachineInfo.State.FAILED);
            assertTrue(failed.failure().contains("cannot digest poison"), failed.failure());
            assertEquals(GroupState.WAITING, engine.status(0).state());
            assertEquals(List.of(1), engine.status(0).waitingFor());
            assertEquals(null, engine.status(0).failure(), "the group is not failed for good");
        }
        // another group keeps executing meanwhile
        for (int i = 0; i < 10; i++) done(engines[2].propose(1, 1, ("g1-" + i).getBytes()));
        CompletionStage<Proposed> queued = engines[1].propose(0, 1, "after".getBytes());

        // recovery without restarting anything but the state machine: remove the failed one, register a fixed one
        RecordingStateMachine[] fixed = new RecordingStateMachine[4];
        for (int n = 1; n <= 3; n++) {
            engines[n].unregister(first[n]).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
            fixed[n] = new RecordingStateMachine(); // no durable state: checkpoint -1, replays the retained log
            engines[n].register(0, 1, "fixed", fixed[n]);
        }
        done(queued);
        for (int n = 1; n <= 3; n++) {
            RecordingStateMachine f = fixed[n];
            Engine engine = engines[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> f.size() == 12
                    && engine.status(0).state() == GroupState.RUNNING);
            assertTrue(f.snapshot().get(10).endsWith(":poison"), "the poison command was executed, not skipped");
            assertEquals(fixed[1].snapshot(), f.snapshot());
        }
    }

    /** Reports the last instance it executed as its checkpoint (so the group's kept history moves on). */
    static final class Checkpointing extends RecordingStateMachine {
        private volatile long last = -1;

        @Override
        public synchronized void execute(ExecutionBatch batch, ExecutionResults results) {
            super.execute(batch, results);
            last = batch.instance();
        }

        @Override
        public long checkpointInstance(int group) {
            return last;
        }
    }

    @Test
    void aStateMachineDeployedForTheFirstTimeIntoARunningGroupJoinsIt() {
        startAll(n -> new Checkpointing());
        for (int i = 0; i < 10; i++) done(engines[1 + i % 3].propose(0, 1, ("kv" + i).getBytes()));
        for (int n = 1; n <= 3; n++) {
            Engine engine = engines[n];
            // housekeeping recorded the checkpoint: the master history below it is pruned
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.status(0).stateMachines().stream()
                    .anyMatch(i -> i.id() == 1 && i.checkpointInstance() >= 9));
        }
        // before: the newcomer (checkpoint -1) "cannot catch up: it needs instance 0, below the lowest
        // position 9 known for the group" and the whole group (its other state machines too) FAILED
        RecordingStateMachine[] newcomers = new RecordingStateMachine[4];
        for (int n = 1; n <= 3; n++) engines[n].register(0, 2, "newcomer", newcomers[n] = new RecordingStateMachine());
        done(engines[2].propose(0, 2, "first command".getBytes()));
        done(engines[3].propose(0, 1, "kv after".getBytes()));
        for (int n = 1; n <= 3; n++) {
            Engine engine = engines[n];
            RecordingStateMachine newcomer = newcomers[n];
            await().atMost(Duration.ofSeconds(20)).until(() -> newcomer.size() == 1
                    && engine.status(0).executedInstance() == engine.status(0).chosenInstance());
            assertEquals(GroupState.RUNNING, engine.status(0).state(), String.valueOf(engine.status(0)));
            assertEquals(null, engine.status(0).failure());
            assertTrue(newcomer.snapshot().get(0).endsWith(":first command"), newcomer.snapshot().toString());
        }
    }
}
