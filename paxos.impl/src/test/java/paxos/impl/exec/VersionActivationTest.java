package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/** The version in force is a pure function of the log; only a registration of that version executes. */
class VersionActivationTest {
    /** Records "version:value" of every command it executes. */
    static final class Versioned implements StateMachine {
        final String version;
        final List<String> seen;

        Versioned(String version, List<String> seen) {
            this.version = version;
            this.seen = seen;
        }

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            batch.commands().forEach(c -> seen.add(version + ":" + new String(c.value())));
        }
    }

    private static byte[] batch(BatchCommand... commands) {
        return BatchCodec.encode(List.of(commands));
    }

    /** Request IDs are unique per proposer (execution skips one it executed already). */
    private static final java.util.concurrent.atomic.AtomicLong REQUEST_IDS = new java.util.concurrent.atomic.AtomicLong(100);

    private static BatchCommand cmd(String value) {
        return new BatchCommand(7, -1, 1, REQUEST_IDS.getAndIncrement(), value.getBytes());
    }

    private static BatchCommand activate(int node, long request, String version, String expected) {
        return new BatchCommand(0, -1, node, request, new SystemCommand.ActivateVersion(7, version, expected).encode());
    }

    /** The log of the rolling upgrade: 1.1 activated first, a command, then 1.2 activated, then a command only 1.2 knows. */
    private static final List<byte[]> LOG = List.of(
            batch(activate(1, 1, "1.1", SystemCommand.ActivateVersion.NONE),
                    activate(3, 2, "1.2", SystemCommand.ActivateVersion.NONE)), // loses the compare-and-set
            batch(cmd("old")),
            batch(activate(1, 3, "1.2", SystemCommand.ActivateVersion.ANY), cmd("same-instance")),
            batch(cmd("new-command")));

    private static GroupExecutor replica(int node) {
        GroupExecutor e = new GroupExecutor(0, node, ExecutorState.INITIAL, 1000);
        for (int i = 0; i < LOG.size(); i++) e.offer(new ChosenValue(i, LOG.get(i)));
        return e;
    }

    @Test
    void aReplicaWithoutTheActivatedVersionWaitsInsteadOfExecutingWithTheOldCode() {
        // before: every replica executed "new-command" with whatever it had; two of them with 1.1
        for (int node : new int[] {1, 2}) {
            List<String> seen = new ArrayList<>();
            GroupExecutor e = replica(node);
            e.register(7, "1.1", new Versioned("1.1", seen), -1);
            e.run();
            assertEquals(List.of("1.1:old", "1.1:same-instance"), seen, "an activation takes effect at the next instance");
            assertEquals(2, e.executedInstance());
            assertEquals(List.of(7), e.waitingFor());
            assertEquals(List.of("7@1.2"), e.waitingForVersions());
            assertEquals(Map.of(7, "1.2"), e.versionsInForce());
        }
    }

    @Test
    void theUpgradedReplicaHandsOverAtTheSwitchAndRunsTheNewCommandWithTheNewVersion() {
        List<String> seen = new ArrayList<>();
        GroupExecutor e = replica(3);
        e.register(7, "1.1", new Versioned("1.1", seen), -1); // side by side; the runtime registers the one in force
        List<ExecOutcome> out = e.run();
        assertEquals(new ExecOutcome.Completed(2, 0, 1, "1.1"), out.get(0), "the losing first activation learns the winner");
        assertEquals(List.of("7@1.2"), e.waitingForVersions());
        e.unregister(7);
        e.register(7, "1.2", new Versioned("1.2", seen), e.executedInstance()); // hand-over: up to the switch
        e.run();
        assertEquals(List.of("1.1:old", "1.1:same-instance", "1.2:new-command"), seen);
        assertEquals(3, e.executedInstance());
    }

    @Test
    void withoutAnyActivationWhateverIsRegisteredExecutes() {
        List<String> seen = new ArrayList<>();
        GroupExecutor e = new GroupExecutor(0, 1, ExecutorState.INITIAL, 1000);
        e.register(7, "2.0", new Versioned("2.0", seen), -1);
        e.offer(new ChosenValue(0, batch(cmd("x"))));
        e.run();
        assertEquals(List.of("2.0:x"), seen);
        assertTrue(e.versionsInForce().isEmpty());
    }

    @Test
    void theVersionsInForceSurviveARestartThroughTheExecutorState() {
        GroupExecutor before = replica(1);
        before.register(7, "1.1", new Versioned("1.1", new ArrayList<>()), -1);
        before.run();
        List<GroupExecutor.VersionEntry> entries = before.drainVersionEntries();
        assertEquals(List.of(new GroupExecutor.VersionEntry(0, 7, "1.1"), new GroupExecutor.VersionEntry(2, 7, "1.2")), entries);
        List<String> seen = new ArrayList<>();
        GroupExecutor after = new GroupExecutor(0, 1, new ExecutorState(3, paxos.api.MasterInfo.NONE, -1, Map.of(7, "1.2")), 1000);
        after.register(7, "1.1", new Versioned("1.1", seen), 2);
        after.offer(new ChosenValue(3, LOG.get(3)));
        after.run();
        assertEquals(List.of(), seen, "a restart resumes under 1.2, not under whatever is registered");
        assertEquals(List.of("7@1.2"), after.waitingForVersions());
    }

    @Test
    void anActivationCommandRoundTripsAndRejectsBadVersions() {
        SystemCommand.ActivateVersion a = new SystemCommand.ActivateVersion(7, "1.2.0-rc1", "1.1");
        assertEquals(a, SystemCommand.decode(a.encode()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SystemCommand.ActivateVersion(7, "1 2", SystemCommand.ActivateVersion.ANY));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SystemCommand.ActivateVersion(7, "", SystemCommand.ActivateVersion.ANY));
    }
}
