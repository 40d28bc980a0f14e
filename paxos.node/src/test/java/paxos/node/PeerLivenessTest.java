package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.PeerInfo;

/**
 * Peer liveness in status comes from what was last heard from the peer, not from the TCP
 * connection: three embedded nodes on 127.0.0.1 (real Netty, real LevelDB), node 3 stopped and
 * started again. Node 2 is a follower like node 3 (followers exchange no Paxos messages when
 * idle), so its view of node 3 relies on the transport's keepalives.
 */
class PeerLivenessTest {
    /** Generous for a loaded machine; the measured time is printed. */
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir Path dir;
    private final EmbeddedNode[] nodes = new EmbeddedNode[4];

    @AfterEach
    void close() {
        for (EmbeddedNode n : nodes) if (n != null) n.close();
    }

    @Test
    void stoppedPeerTurnsUnreachableWithinAboutAnElectionTimeoutAndBackOnRestart() throws Exception {
        String members = "1@127.0.0.1:" + KvCluster.freePort() + ",2@127.0.0.1:" + KvCluster.freePort()
                + ",3@127.0.0.1:" + KvCluster.freePort();
        for (int id = 1; id <= 3; id++) nodes[id] = EmbeddedNode.start(config(id, members), Map.of());
        await().atMost(BOUND).until(() -> reachable(1, 3) && reachable(2, 3) && reachable(3, 2));

        long stoppedAt = System.nanoTime();
        nodes[3].close();
        nodes[3] = null;
        await().atMost(BOUND).until(() -> !reachable(1, 3) && !reachable(2, 3));
        long detectedMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        long electionMillis = (long) nodes[1].config().engine().electionTicks() * nodes[1].config().engine().tickMillis();
        System.out.println("peer 3 unreachable in status " + detectedMillis + " ms after it stopped (election timeout "
                + electionMillis + " ms)");
        PeerInfo down = peer(1, 3);
        assertTrue(down.lastHeardMillisAgo() > electionMillis / 2, down.toString());
        assertNotNull(down.lastError(), "the refused reconnects are reported");
        assertTrue(down.lastErrorAtMillis() > 0, down.toString());
        assertTrue(reachable(1, 2) && reachable(2, 1), "the others still hear each other");

        nodes[3] = EmbeddedNode.start(config(3, members), Map.of());
        await().atMost(BOUND).until(() -> reachable(1, 3) && reachable(2, 3) && peer(1, 3).lastError() == null);
        PeerInfo back = peer(1, 3);
        assertTrue(back.connected() && back.authenticated(), back.toString());
        assertNull(back.lastError());
        assertTrue(back.lastErrorAtMillis() == 0, back.toString());
    }

    private NodeConfig config(int id, String members) {
        return NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("n" + id))
                .groupCount(1).build();
    }

    private PeerInfo peer(int on, int peer) {
        return nodes[on].node().peers().stream().filter(p -> p.nodeId() == peer).findFirst().orElseThrow();
    }

    private boolean reachable(int on, int peer) {
        return peer(on, peer).reachable();
    }
}
