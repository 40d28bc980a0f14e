package paxos.plugins.kv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.plugins.kv.KvCommand;

/** The KV digest is a function of the state: equal states, equal digests, whatever path led there. */
class KvDigestTest {
    @TempDir Path dir;

    private static void run(KvStateMachine kv, long instance, KvCommand... commands) {
        kv.execute(KvStateMachineTest.batch(instance, commands), new KvStateMachineTest.Results());
    }

    @Test
    void equalWritesGiveEqualDigestsAndAnyDifferenceShows() throws Exception {
        try (KvStateMachine a = new KvStateMachine(dir.resolve("a")); KvStateMachine b = new KvStateMachine(dir.resolve("b"))) {
            run(a, 0, KvCommand.put("x", new byte[] {1}), KvCommand.put("y", new byte[] {2}));
            run(b, 0, KvCommand.put("x", new byte[] {1}), KvCommand.put("y", new byte[] {2}));
            assertEquals(a.digest(0, 0), b.digest(0, 0));
            run(a, 1, KvCommand.put("x", new byte[] {3}));
            run(b, 1, KvCommand.put("x", new byte[] {4})); // one replica applied another value
            assertNotEquals(a.digest(0, 1), b.digest(0, 1));
            run(a, 2, KvCommand.delete("x"));
            run(b, 2, KvCommand.delete("x")); // the difference is gone from the data, and the digest agrees again
            assertEquals(a.digest(0, 2), b.digest(0, 2));
        }
    }

    @Test
    void theDigestSurvivesRestartAndCheckpointCopyAndMatchesAFullWalk() throws Exception {
        long digest;
        try (KvStateMachine kv = new KvStateMachine(dir.resolve("a"))) {
            for (int i = 0; i < 50; i++) run(kv, i, KvCommand.put("k" + (i % 7), new byte[] {(byte) i}));
            run(kv, 50, KvCommand.delete("k3"));
            digest = kv.digest(0, 50);
            kv.lockCheckpoint(0);
            java.nio.file.Files.move(dir.resolve("a/group-0/checkpoint"), dir.resolve("copy"));
            kv.unlockCheckpoint(0);
        }
        try (KvStateMachine reopened = new KvStateMachine(dir.resolve("a"))) {
            assertEquals(digest, reopened.digest(0, 50), "after restart");
        }
        try (KvGroupStore copy = new KvGroupStore(paxos.plugin.support.store.GroupStore.open(dir.resolve("copy")))) {
            assertEquals(digest, copy.digest(), "in a checkpoint copy");
        }
        // a store from before digests: the sum is rebuilt by one walk and equals the incremental one
        try (org.iq80.leveldb.DB db = org.iq80.leveldb.impl.Iq80DBFactory.factory.open(dir.resolve("copy").toFile(),
                new org.iq80.leveldb.Options())) {
            db.delete("mstatesum".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (KvGroupStore walked = new KvGroupStore(paxos.plugin.support.store.GroupStore.open(dir.resolve("copy")))) {
            assertEquals(digest, walked.digest(), "rebuilt by a walk");
        }
    }
}
