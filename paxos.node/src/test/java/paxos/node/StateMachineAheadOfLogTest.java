package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chosen values go to execution before this node's own records of them are durable
 * ({@code Early.applyEarly}), so a crash may leave a state machine that wrote its position with
 * its effects ahead of the node's log. Here node 3's log loses its last instances (its log
 * directory is put back as it was 30 writes earlier) while its KV files keep them: the node
 * must come back, learn what its log lacks from its peers, execute nothing twice and serve —
 * not refuse its own files as another node's. Real LevelDB files, real Netty sockets on 127.0.0.1.
 */
class StateMachineAheadOfLogTest {
    @TempDir Path dir;
    private KvCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aNodeWhoseLogLostItsTailWhileItsStateMachineKeptItRejoinsAndExecutesNothingTwice() throws Exception {
        cluster = new KvCluster(dir, 100_000, 1);
        for (int id = 1; id <= 3; id++) cluster.start(id);
        cluster.write(1, 0, "a", 20, 100);
        awaitSame(List.of(1, 2, 3));
        long logLeftAt = cluster.nodes[3].node().status(0).executedInstance();
        cluster.stop(3);
        Path log = dir.resolve("n3").resolve("log");
        Path older = dir.resolve("n3-log-before");
        copyTree(log, older);

        cluster.start(3);
        cluster.write(1, 0, "b", 30, 100);
        awaitSame(List.of(1, 2, 3));
        long kvAt = cluster.kv(3, 0).checkpointInstance(0);
        cluster.stop(3);
        Files.move(log, dir.resolve("n3-log-after"));
        Files.move(older, log); // the log as a crash could leave it: its tail lost, the KV files ahead

        EmbeddedNode three = cluster.start(3);
        assertTrue(kvAt > logLeftAt, "the KV state machine stands at " + kvAt + ", the log at " + logLeftAt);
        cluster.write(2, 0, "c", 10, 100);
        awaitSame(List.of(1, 2, 3));
        assertNull(three.node().status(0).failure(), "its own files, a little ahead of its log, are not another node's");
        assertTrue(cluster.kv(3, 0).get(0, "b29").isPresent() && cluster.kv(3, 0).get(0, "c9").isPresent());
    }

    /** Waits until the nodes executed the same position and hold the same KV state (versions included). */
    private void awaitSame(List<Integer> ids) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            long[] first = null;
            long at = -2;
            for (int id : ids) {
                if (cluster.nodes[id].node().status(0).failure() != null) return true; // reported below
                long[] digest = cluster.kv(id, 0).dataDigest(0);
                long applied = cluster.kv(id, 0).checkpointInstance(0);
                if (first == null) {
                    first = digest;
                    at = applied;
                } else if (applied != at || digest[0] != first[0] || digest[1] != first[1]) return false;
            }
            return true;
        });
        for (int id : ids) assertNull(cluster.nodes[id].node().status(0).failure(), "node " + id);
        long[] first = cluster.kv(ids.get(0), 0).dataDigest(0);
        for (int id : ids) {
            long[] d = cluster.kv(id, 0).dataDigest(0);
            assertEquals(first[0], d[0], "entries on node " + id);
            assertEquals(first[1], d[1], "keys, values and versions on node " + id);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
