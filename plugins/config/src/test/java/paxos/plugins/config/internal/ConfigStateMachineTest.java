package paxos.plugins.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposal;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigResult;
import paxos.plugins.config.ConfigResult.Status;

class ConfigStateMachineTest {
    @TempDir Path dir;

    /** Collects results by index, as the engine would hand them to callers. */
    static final class Results implements ExecutionResults {
        final Map<Integer, Object> byIndex = new HashMap<>();
        @Override public void complete(int index, Object result) { byIndex.putIfAbsent(index, result); }
        @Override public boolean isAwaited(int index) { return true; }
        ConfigResult at(int index) { return (ConfigResult) byIndex.get(index); }
    }

    static ExecutionBatch batch(long instance, ConfigCommand... commands) {
        List<Command> list = new ArrayList<>();
        for (int i = 0; i < commands.length; i++)
            list.add(new Command(instance, i, commands[i].encode(), Proposal.NO_MASTER_CONDITION));
        return new ExecutionBatch(0, instance, list);
    }

    static ConfigCommand put(String pid, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) props.put((String) keyValues[i], keyValues[i + 1]);
        return ConfigCommand.put(pid, props);
    }

    @Test
    void putStoresPropertiesUnderAVersionThatCountsWrites() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            Results r = new Results();
            sm.execute(batch(0, put("a", "port", 8080L), put("b", "name", "x"), put("a", "port", 9090L)), r);
            assertEquals(ConfigResult.of(Status.APPLIED, 1), r.at(0));
            assertEquals(ConfigResult.of(Status.APPLIED, 2), r.at(1));
            assertEquals(ConfigResult.of(Status.APPLIED, 3), r.at(2));
            assertEquals(9090L, sm.get(0, "a").orElseThrow().properties().get("port"));
            assertEquals(3, sm.get(0, "a").orElseThrow().version());
            assertEquals(Map.of("a", 3L, "b", 2L), sm.versions(0));
            assertEquals(0, sm.checkpointInstance(0));
        }
    }

    @Test
    void compareAndSetAppliesOnlyOnMatchingVersionWithinOneBatch() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            Results r = new Results();
            sm.execute(batch(3,
                    put("p", "v", 1L).ifVersion(ConfigCommand.ABSENT),
                    put("p", "v", 2L).ifVersion(ConfigCommand.ABSENT),
                    put("p", "v", 3L).ifVersion(1),
                    ConfigCommand.delete("p").ifVersion(1)), r);
            assertEquals(Status.APPLIED, r.at(0).status());
            assertEquals(ConfigResult.of(Status.VERSION_MISMATCH, 1), r.at(1));
            assertEquals(ConfigResult.of(Status.APPLIED, 2), r.at(2));
            assertEquals(ConfigResult.of(Status.VERSION_MISMATCH, 2), r.at(3));
            assertEquals(3L, sm.get(0, "p").orElseThrow().properties().get("v"));
        }
    }

    @Test
    void deleteRemovesAndDeleteOfMissingPidIsNotFound() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            Results r = new Results();
            sm.execute(batch(0, put("a", "k", "v"), ConfigCommand.delete("a"), ConfigCommand.delete("a")), r);
            assertEquals(ConfigResult.of(Status.APPLIED, 0), r.at(1));
            assertEquals(Status.NOT_FOUND, r.at(2).status());
            assertTrue(sm.get(0, "a").isEmpty());
            assertTrue(sm.versions(0).isEmpty());
        }
    }

    @Test
    void listenerHearsChangedPidsInExecutionOrderAfterTheBatch() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            List<String> heard = new ArrayList<>();
            sm.setChangeListener((group, pids) -> {
                assertTrue(sm.get(group, "b").isPresent(), "batch is visible when the listener runs");
                heard.addAll(pids);
            });
            sm.execute(batch(0, put("b", "k", 1L), ConfigCommand.delete("missing"), put("a", "k", 2L)), new Results());
            assertEquals(List.of("b", "a"), heard);
        }
    }

    @Test
    void positionAndDataSurviveReopenAndReplayedInstancesAreIgnored() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            sm.execute(batch(0, put("a", "k", 1L)), new Results());
            sm.execute(batch(1, put("a", "k", 2L)), new Results());
        }
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            assertEquals(1, sm.checkpointInstance(0));
            List<String> heard = new ArrayList<>();
            sm.setChangeListener((g, pids) -> heard.addAll(pids));
            sm.execute(batch(1, put("a", "k", 9L)), new Results());
            sm.execute(batch(0, put("a", "k", 9L)), new Results());
            assertEquals(2L, sm.get(0, "a").orElseThrow().properties().get("k"));
            assertEquals(2, sm.get(0, "a").orElseThrow().version());
            assertTrue(heard.isEmpty());
            sm.execute(batch(2, put("c", "k", 1L)), new Results());
            assertEquals(3, sm.get(0, "c").orElseThrow().version(), "the write counter survived the reopen");
        }
    }

    @Test
    void checkpointIsAConsistentCopyThatOpensWithTheSameChecksum() throws Exception {
        Path copyBase = dir.resolve("other");
        long checksum;
        try (ConfigStateMachine sm = new ConfigStateMachine(dir.resolve("src"))) {
            for (int i = 0; i < 50; i++) sm.execute(batch(i, put("pid" + i, "i", (long) i, "s", new String[] {"x"})), new Results());
            checksum = sm.checksum(0);
            CheckpointFiles cp = sm.lockCheckpoint(0);
            assertEquals(49, cp.instance());
            assertThrows(IOException.class, () -> sm.lockCheckpoint(0));
            sm.execute(batch(50, put("later", "k", 1L)), new Results()); // keeps executing
            Path target = copyBase.resolve("group-0").resolve("db");
            Files.createDirectories(target);
            for (String f : cp.files()) Files.copy(cp.directory().resolve(f), target.resolve(f));
            sm.unlockCheckpoint(0);
            assertTrue(Files.notExists(cp.directory()));
        }
        try (ConfigStateMachine copy = new ConfigStateMachine(copyBase)) {
            assertEquals(49, copy.checkpointInstance(0));
            assertEquals(checksum, copy.checksum(0));
            assertTrue(copy.get(0, "later").isEmpty());
            assertEquals(50, copy.versions(0).size());
        }
    }

    @Test
    void malformedCommandsAreRefusalsNotFailures() throws Exception {
        byte[] badPid = ConfigCommand.put("ok", Map.of()).encode();
        badPid[10] = '/'; // the PID's first byte
        byte[] truncated = put("ok", "k", "value").encode();
        truncated = java.util.Arrays.copyOf(truncated, truncated.length - 2);
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            Results r = new Results();
            sm.execute(new ExecutionBatch(0, 0, List.of(
                    new Command(0, 0, new byte[] {1, 2}, -1),
                    new Command(0, 1, badPid, -1),
                    new Command(0, 2, truncated, -1))), r);
            for (int i = 0; i < 3; i++) assertEquals(Status.INVALID_COMMAND, r.at(i).status(), "command " + i);
            assertTrue(r.at(1).message().contains("PID"), r.at(1).message());
            assertEquals(0, sm.checkpointInstance(0));
            assertTrue(sm.versions(0).isEmpty());
        }
    }

    @Test
    void storeRefusesNewPidsBeyondItsLimitButUpdatesExistingOnes() throws Exception {
        try (ConfigStateMachine sm = new ConfigStateMachine(dir)) {
            int n = ConfigCommand.MAX_ENTRIES;
            ConfigCommand[] fill = new ConfigCommand[n];
            for (int i = 0; i < n; i++) fill[i] = put("p" + i);
            sm.execute(batch(0, fill), new Results());
            Results r = new Results();
            sm.execute(batch(1, put("one.more"), put("p7", "k", 1L)), r);
            assertEquals(Status.STORE_FULL, r.at(0).status());
            assertEquals(Status.APPLIED, r.at(1).status());
        }
    }
}
