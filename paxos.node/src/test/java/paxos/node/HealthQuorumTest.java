package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.impl.health.HealthChecks;

/**
 * The health checks against three real embedded nodes on 127.0.0.1 (real Netty, real LevelDB):
 * with two of three closed, the third's quorum check turns DOWN (and the node with it) within a
 * bounded time; with both started again it turns UP again.
 */
class HealthQuorumTest {
    /** Generous for a loaded machine; the measured times are printed. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir Path dir;
    private final EmbeddedNode[] nodes = new EmbeddedNode[4];

    @AfterEach
    void close() {
        for (EmbeddedNode n : nodes) if (n != null) n.close();
    }

    @Test
    void quorumCheckTurnsDownWhenTwoOfThreeStopAndUpWhenTheyReturn() throws Exception {
        String members = "1@127.0.0.1:" + KvCluster.freePort() + ",2@127.0.0.1:" + KvCluster.freePort()
                + ",3@127.0.0.1:" + KvCluster.freePort();
        for (int id = 1; id <= 3; id++) nodes[id] = EmbeddedNode.start(config(id, members), Map.of());
        HealthChecks checks = new HealthChecks(nodes[3].node(), nodes[3].config().dataDir());
        await().atMost(BOUND).until(() -> checks.run().up());

        long stoppedAt = System.nanoTime();
        for (int id = 1; id <= 2; id++) {
            nodes[id].close();
            nodes[id] = null;
        }
        await().atMost(BOUND).until(() -> !quorum(checks).up());
        System.out.println("quorum check DOWN " + (System.nanoTime() - stoppedAt) / 1_000_000 + " ms after two of three stopped: "
                + quorum(checks).detail());
        HealthChecks.Result down = checks.run();
        assertTrue(!down.up() && "DOWN".equals(down.toMap().get("status")), down.toString());

        long restartedAt = System.nanoTime();
        for (int id = 1; id <= 2; id++) nodes[id] = EmbeddedNode.start(config(id, members), Map.of());
        await().atMost(BOUND).until(() -> checks.run().up());
        System.out.println("node UP again " + (System.nanoTime() - restartedAt) / 1_000_000 + " ms after the restart");
    }

    private static HealthChecks.Check quorum(HealthChecks checks) {
        return checks.run().checks().stream().filter(c -> c.name().equals("quorum")).findFirst().orElseThrow();
    }

    private NodeConfig config(int id, String members) {
        return NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("n" + id))
                .groupCount(1).build();
    }
}
