package paxos.plugins.kv.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.KvResult;

class KvStateMachineTest {
    @TempDir Path dir;

    /** Collects results by index, as the engine would hand them to callers. */
    static final class Results implements ExecutionResults {
        final Map<Integer, Object> byIndex = new HashMap<>();
        @Override public void complete(int index, Object result) { byIndex.putIfAbsent(index, result); }
        @Override public boolean isAwaited(int index) { return true; }
    }

    static ExecutionBatch batch(long instance, KvCommand... commands) {
        List<Command> list = new ArrayList<>();
        for (int i = 0; i < commands.length; i++)
            list.add(new Command(instance, i, commands[i].encode(), Proposal.NO_MASTER_CONDITION));
        return new ExecutionBatch(0, instance, list);
    }

    @Test
    void putThenGetReturnsValueAndVersion() throws Exception {
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            Results r = new Results();
            kv.execute(batch(0, KvCommand.put("a", "1".getBytes(UTF_8))), r);
            assertEquals(new KvResult(KvResult.Status.APPLIED, 1), r.byIndex.get(0));
            assertArrayEquals("1".getBytes(UTF_8), kv.get(0, "a").orElseThrow().value());
            assertEquals(0, kv.checkpointInstance(0));
        }
    }

    @Test
    void compareAndSetAppliesOnlyOnMatchingVersionWithinOneBatch() throws Exception {
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            Results r = new Results();
            kv.execute(batch(3,
                    KvCommand.put("k", new byte[] {1}).ifVersion(KvCommand.ABSENT),
                    KvCommand.put("k", new byte[] {2}).ifVersion(KvCommand.ABSENT),
                    KvCommand.put("k", new byte[] {3}).ifVersion(1)), r);
            assertEquals(KvResult.Status.APPLIED, ((KvResult) r.byIndex.get(0)).status());
            assertEquals(new KvResult(KvResult.Status.VERSION_MISMATCH, 1), r.byIndex.get(1));
            assertEquals(new KvResult(KvResult.Status.APPLIED, 2), r.byIndex.get(2));
            assertArrayEquals(new byte[] {3}, kv.get(0, "k").orElseThrow().value());
        }
    }

    @Test
    void deleteOfMissingKeyIsNotFound() throws Exception {
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            Results r = new Results();
            kv.execute(batch(0, KvCommand.delete("nope")), r);
            assertEquals(KvResult.Status.NOT_FOUND, ((KvResult) r.byIndex.get(0)).status());
        }
    }

    @Test
    void positionAndDataSurviveReopenAndReplayedInstancesAreIgnored() throws Exception {
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            kv.execute(batch(0, KvCommand.put("a", new byte[] {1})), new Results());
            kv.execute(batch(1, KvCommand.put("a", new byte[] {2})), new Results());
        }
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            assertEquals(1, kv.checkpointInstance(0));
            kv.execute(batch(1, KvCommand.put("a", new byte[] {9})), new Results());
            assertArrayEquals(new byte[] {2}, kv.get(0, "a").orElseThrow().value());
        }
    }

    @Test
    void checkpointIsAConsistentCopyThatOpensAsAStore() throws Exception {
        Path copyBase = dir.resolve("other");
        long checksum;
        try (KvStateMachine kv = new KvStateMachine(dir.resolve("src"))) {
            for (int i = 0; i < 50; i++)
                kv.execute(batch(i, KvCommand.put("k" + i, new byte[] {(byte) i})), new Results());
            checksum = kv.checksum(0);
            CheckpointFiles cp = kv.lockCheckpoint(0);
            assertEquals(49, cp.instance());
            assertThrows(java.io.IOException.class, () -> kv.lockCheckpoint(0));
            kv.execute(batch(50, KvCommand.put("later", new byte[] {1})), new Results()); // keeps executing
            Path target = copyBase.resolve("group-0").resolve("db");
            java.nio.file.Files.createDirectories(target);
            for (String f : cp.files())
                java.nio.file.Files.copy(cp.directory().resolve(f), target.resolve(f));
            kv.unlockCheckpoint(0);
            assertTrue(java.nio.file.Files.notExists(cp.directory()));
        }
        try (KvStateMachine copy = new KvStateMachine(copyBase)) {
            assertEquals(49, copy.checkpointInstance(0));
            assertEquals(checksum, copy.checksum(0));
            assertTrue(copy.get(0, "later").isEmpty());
        }
    }

    @Test
    void dataDigestIgnoresThePositionButSeesEveryValueAndVersion() throws Exception {
        try (KvStateMachine a = new KvStateMachine(dir.resolve("a"));
             KvStateMachine b = new KvStateMachine(dir.resolve("b"))) {
            a.execute(batch(0, KvCommand.put("x", new byte[] {1}), KvCommand.put("y", new byte[] {2})), new Results());
            b.execute(batch(0, KvCommand.put("x", new byte[] {1}), KvCommand.put("y", new byte[] {2})), new Results());
            b.execute(batch(1), new Results()); // an instance without KV commands (e.g. a read barrier)
            assertArrayEquals(a.dataDigest(0), b.dataDigest(0));
            assertEquals(2, a.dataDigest(0)[0]);
            assertTrue(a.checksum(0) != b.checksum(0), "the full checksum includes the position");

            b.execute(batch(2, KvCommand.put("x", new byte[] {1})), new Results()); // same value, new version
            assertTrue(a.dataDigest(0)[1] != b.dataDigest(0)[1]);
        }
    }

    @Test
    void malformedCommandIsARefusalNotAFailure() throws Exception {
        try (KvStateMachine kv = new KvStateMachine(dir)) {
            Results r = new Results();
            kv.execute(new ExecutionBatch(0, 0, List.of(new Command(0, 0, new byte[] {1, 2}, -1))), r);
            assertEquals(KvResult.Status.INVALID_COMMAND, ((KvResult) r.byIndex.get(0)).status());
            assertEquals(0, kv.checkpointInstance(0));
        }
    }
}
