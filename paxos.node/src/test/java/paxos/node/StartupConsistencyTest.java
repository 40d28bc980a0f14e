package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.GroupState;
import paxos.api.spi.log.SyncPolicy;
import paxos.plugins.kv.KvCommand;

/** Files that do not belong together are refused with a message naming the problem. One node, real files. */
class StartupConsistencyTest {
    @TempDir Path dir;

    private NodeConfig config(String cluster, int id) throws Exception {
        return NodeConfig.builder(id, id + "@127.0.0.1:" + KvCluster.freePort()).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterId(cluster)
                .clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("node")).syncPolicy(SyncPolicy.NONE).groupCount(1).build();
    }

    private void writeSome(NodeConfig c) throws Exception {
        try (EmbeddedNode n = EmbeddedNode.start(c, Map.of(KvCluster.KV, KvCluster.kvFactory()))) {
            for (int i = 0; i < 5; i++)
                n.node().propose(0, KvCluster.KV, KvCommand.put("k" + i, new byte[10]).encode()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDataDirectoryOfAnotherNodeIsRefused() throws Exception {
        writeSome(config("blue", 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddedNode.start(config("blue", 2), Map.of(KvCluster.KV, KvCluster.kvFactory())));
        assertTrue(e.getMessage().contains("belongs to cluster blue node 1"), e.getMessage());
    }

    @Test
    void aLogOfAnotherClusterFailsTheGroup() throws Exception {
        writeSome(config("blue", 1));
        Files.delete(dir.resolve("node").resolve(NodeIdentityFile.FILE)); // only the log remembers now
        try (EmbeddedNode n = EmbeddedNode.start(config("green", 1), Map.of(KvCluster.KV, KvCluster.kvFactory()))) {
            assertEquals(GroupState.FAILED, n.node().status(0).state());
            assertTrue(n.node().status(0).failure().contains("belongs to cluster/node blue/1"), n.node().status(0).failure());
        }
    }

    @Test
    void aStateMachineAheadOfTheLogFailsTheGroup() throws Exception {
        writeSome(config("blue", 1));
        deleteTree(dir.resolve("node").resolve("log")); // the log is lost, the KV data stays
        try (EmbeddedNode n = EmbeddedNode.start(config("blue", 1), Map.of(KvCluster.KV, KvCluster.kvFactory()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> n.node().status(0).state() == GroupState.FAILED);
            assertTrue(n.node().status(0).failure().contains("reports checkpoint instance"), n.node().status(0).failure());
        }
    }

    private static void deleteTree(java.nio.file.Path root) throws java.io.IOException {
        try (var paths = Files.walk(root)) {
            for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
