package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.MembershipChange;
import paxos.api.NotMemberException;
import paxos.api.Proposal;
import paxos.plugins.kv.KvCommand;
import paxos.node.NodeIdentityFile.StartMode;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.transport.netty.Incarnations;
import paxos.transport.netty.NettyTransport;

/**
 * A node checks its own incarnation (the one its data directory's identity holds) against the
 * membership in force, on three embedded nodes with real LevelDB and real Netty on 127.0.0.1.
 * While node 3 is down, an operator lists it under a new incarnation X (a replacement disk); node 3
 * comes back on its old disk with a transport presenting X, so its peers' checks (which see only X)
 * cannot tell: node 3 must see that the entry is not its data directory, and refuse proposals
 * (vote nowhere), while 1 + 2 stay available.
 */
class OwnIncarnationTest {
    @TempDir Path dir;

    @Test
    void aNodeListedUnderAnotherIncarnationDoesNotVote() throws Exception {
        try (KvCluster c = new KvCluster(dir, 1_000_000, 1)) {
            for (int id = 1; id <= 3; id++) c.start(id); // transports that present no incarnation
            await().atMost(Duration.ofSeconds(30)).until(() -> c.nodes[1].engine().quorumReachable(0));
            c.write(3, 0, "before", 3, 8); // node 3 is a voter: its proposals are chosen

            // the operator lists node 3 under incarnation X (a replacement disk) while node 3 is down
            c.stop(3);
            String x = Incarnations.newIncarnation();
            Member old3 = c.nodes[1].node().membership(0).members().stream().filter(m -> m.nodeId() == 3).findFirst().orElseThrow();
            Member new3 = new Member(3, old3.host(), old3.port(), MemberRole.VOTER, x);
            c.nodes[1].node().changeMembership(0, new MembershipChange.Replace(3, new3)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);

            // node 3 restarted on its old disk, its transport presenting X: the peers admit it and it catches up
            NodeConfig config3 = c.config(3);
            LevelDbLogStore store = new LevelDbLogStore(EmbeddedNode.storeConfig(config3));
            NettyTransport transport = new NettyTransport(EmbeddedNode.transportConfig(config3),
                    Incarnations.open(x, dir.resolve("n3-peers.properties"), Set.of()));
            c.nodes[3] = EmbeddedNode.start(config3, store, transport, Map.of(KvCluster.KV, KvCluster.kvFactory()));
            assertNotEquals(x, NodeIdentityFile.open(config3.dataDir(), "paxos", 3, StartMode.MEMBER).incarnation());
            await().atMost(Duration.ofSeconds(30)).until(() -> c.nodes[3].node().membership(0).members().contains(new3));

            CompletionException refused = assertThrows(CompletionException.class, () -> c.nodes[3].node()
                    .propose(new Proposal(0, KvCluster.KV, KvCommand.put("via-3", new byte[8]).encode(),
                            Proposal.NO_MASTER_CONDITION, 5_000)).toCompletableFuture().join());
            assertInstanceOf(NotMemberException.class, refused.getCause(), String.valueOf(refused.getCause()));
            c.write(1, 0, "after", 3, 8); // 1 + 2 are a quorum of {1, 2, new 3}
        }
    }
}
