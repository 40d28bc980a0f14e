package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.ArrayList;
import java.util.List;
import paxos.api.Member;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.impl.runtime.MemberOperation;
import paxos.plugins.kv.KvResult;
import paxos.plugins.kv.internal.KvStateMachine;
import paxos.api.spi.log.SyncPolicy;
import paxos.node.NodeIdentityFile.StartMode;
import paxos.plugins.kv.KvCommand;
import paxos.transport.netty.Incarnations;

/**
 * The user's "replace" of issue 14 on three embedded nodes (real LevelDB, real Netty on 127.0.0.1):
 * node 3 stopped and its data directory deleted must not come back as a voter with an empty log.
 */
class NodeIdentityClusterTest {
    @TempDir Path dir;
    private String members;
    private final EmbeddedNode[] nodes = new EmbeddedNode[4];
    private int groupCount = 1;

    @AfterEach
    void close() {
        for (EmbeddedNode n : nodes) if (n != null) n.close();
    }

    private NodeConfig config(int id, StartMode mode, Set<Integer> forget) {
        return NodeConfig.builder(id, members).clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("n" + id))
                .groupCount(groupCount).syncPolicy(SyncPolicy.NONE).startMode(mode).forgetIncarnations(forget).build();
    }

    private EmbeddedNode start(int id, StartMode mode, Set<Integer> forget) {
        nodes[id] = EmbeddedNode.start(config(id, mode, forget), Map.of(KvCluster.KV, KvCluster.kvFactory()));
        return nodes[id];
    }

    private CompletableFuture<?> put(int via, String key, long timeoutMillis) {
        byte[] cmd = KvCommand.put(key, new byte[8]).encode();
        return nodes[via].node().propose(new Proposal(0, KvCluster.KV, cmd, Proposal.NO_MASTER_CONDITION, timeoutMillis))
                .toCompletableFuture();
    }

    /**
     * A put through {@code via}, proposed again if it times out: a proposal forwarded to a leader
     * that has just gone away is lost until its timeout (as after any leader crash); the test
     * needs availability, not exactly-once.
     */
    private void putRetrying(int via, String key) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                put(via, key, 5_000).get(30, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt >= 4) throw e;
            }
        }
    }

    private String incarnationOf(int id) throws Exception {
        return NodeIdentityFile.open(dir.resolve("n" + id), "paxos", id, StartMode.MEMBER).incarnation();
    }

    private String recordedBy(int id, int peer) throws Exception {
        return Incarnations.open(incarnationOf(id), dir.resolve("n" + id).resolve(Incarnations.FILE), Set.of()).known(peer);
    }

    @Test
    void aWipedNodeRefusesToStartAndAFreshIncarnationIsNotCounted() throws Exception {
        members = "1@127.0.0.1:" + KvCluster.freePort() + ",2@127.0.0.1:" + KvCluster.freePort() + ",3@127.0.0.1:"
                + KvCluster.freePort();
        for (int id = 1; id <= 3; id++) start(id, StartMode.BOOTSTRAP, Set.of());
        // a proposal before node 1 heard a quorum fails fast (GroupUnavailable): wait for the cluster to form
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes[1].engine().quorumReachable(0));
        for (int i = 0; i < 20; i++) put(1, "k" + i, 20_000).get(30, TimeUnit.SECONDS);
        String old3 = incarnationOf(3);
        await().atMost(Duration.ofSeconds(20)).until(() -> old3.equals(recordedBy(1, 3)) && old3.equals(recordedBy(2, 3)));

        // the user's replace: stop node 3, delete its data, start it again as before
        nodes[3].close();
        nodes[3] = null;
        try (var paths = Files.walk(dir.resolve("n3"))) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> start(3, StartMode.MEMBER, Set.of()));
        assertTrue(refused.getMessage().contains("refuses to start") && refused.getMessage().contains("missing or empty")
                && refused.getMessage().contains("--join"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("n3")), "a refused start creates nothing");

        for (int i = 20; i < 30; i++) putRetrying(1, "k" + i); // 1 + 2 alone

        // an operator forces a fresh directory in: it starts, but peers do not count it
        start(3, StartMode.BOOTSTRAP, Set.of());
        String new3 = incarnationOf(3);
        assertNotEquals(old3, new3);
        for (int i = 30; i < 40; i++) putRetrying(1, "k" + i); // 1 + 2 stay available
        assertThrows(Exception.class, () -> put(3, "via-3", 2_000).get(30, TimeUnit.SECONDS),
                "node 3's messages are dropped: nothing it proposes can be chosen");
        assertEquals(old3, recordedBy(1, 3), "node 1 still knows only the old incarnation");
        assertEquals(old3, recordedBy(2, 3));

        // the pin of a bootstrap member's incarnation survives a restart: node 2's engine counts again only
        // what its transport admits, and that is the durable record (peer-incarnations.properties)
        nodes[2].close();
        nodes[2] = null;
        start(2, StartMode.MEMBER, Set.of());
        for (int i = 40; i < 45; i++) putRetrying(2, "k" + i); // 1 + 2, node 3 still not counted
        assertThrows(Exception.class, () -> put(3, "via-3-again", 2_000).get(30, TimeUnit.SECONDS));
        assertEquals(old3, recordedBy(2, 3), "node 2 restarted knows only the old incarnation");

        // the documented override: node 1 restarted with forgetIncarnations = {3} admits the new one
        nodes[1].close();
        nodes[1] = null;
        start(1, StartMode.MEMBER, Set.of(3));
        await().atMost(Duration.ofSeconds(20)).until(() -> new3.equals(recordedBy(1, 3)));
        assertEquals(old3, recordedBy(2, 3), "node 2 was not told to forget");
    }

    /** {@code count} puts per group through {@code via}, all at once; the acknowledgements, in proposal order. */
    private List<Proposed> putAll(int via, String prefix, int count) {
        List<CompletableFuture<Proposed>> fs = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            for (int i = 0; i < count; i++) {
                byte[] cmd = KvCommand.put(prefix + "-" + i, (prefix + i).getBytes()).encode();
                fs.add(nodes[via].node().propose(new Proposal(g, KvCluster.KV, cmd, Proposal.NO_MASTER_CONDITION, 20_000))
                        .toCompletableFuture());
            }
        }
        List<Proposed> out = new ArrayList<>();
        for (CompletableFuture<Proposed> f : fs) out.add(f.orTimeout(60, TimeUnit.SECONDS).join());
        return out;
    }

    /**
     * A lost machine replaced by a new incarnation of itself (same node ID and address, an empty data
     * directory: {@code --join}, then {@code PUT /paxos/members/3?replace=3}), two groups. Node 3 had
     * proposed before it was lost, so the executed-requests tables hold its former incarnation's
     * request IDs, which its new boot counter (1 again) would reuse (before {@code RequestIds}, its
     * proposals timed out). Every put through the new node 3 is stored on nodes 1, 2 and 3 with the
     * version its acknowledgement named (a second execution would have moved it; an acknowledgement
     * completed by the former incarnation's command would name a write of another key).
     */
    @Test
    void proposalsThroughANewIncarnationOfAReplacedNodeExecuteExactlyOnce() throws Exception {
        groupCount = 2;
        int count = 30;
        int port3 = KvCluster.freePort();
        members = "1@127.0.0.1:" + KvCluster.freePort() + ",2@127.0.0.1:" + KvCluster.freePort() + ",3@127.0.0.1:" + port3;
        for (int id = 1; id <= 3; id++) start(id, StartMode.BOOTSTRAP, Set.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes[1].engine().quorumReachable(0)
                && nodes[3].engine().quorumReachable(0) && nodes[3].engine().quorumReachable(1));
        putAll(3, "old", count); // node 3's former incarnation's request IDs are now in every group's table
        String old3 = incarnationOf(3);

        // node 3's machine dies with its disk; a new one under the same ID and address joins
        nodes[3].close();
        nodes[3] = null;
        try (var paths = Files.walk(dir.resolve("n3"))) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        start(3, StartMode.JOIN, Set.of());
        String new3 = incarnationOf(3);
        assertNotEquals(old3, new3);

        // PUT /paxos/members/3?replace=3 with its host:port, through node 1, once node 1 saw the new incarnation
        MemberOperation replace = MemberOperation.put(3, "127.0.0.1:" + port3, null, "3");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            Map<Integer, MemberOperation.Outcome> out = replace.apply(nodes[1].node(), 20_000);
            return out.values().stream().allMatch(o -> o.failure() == null);
        });
        for (int g = 0; g < groupCount; g++) {
            int group = g;
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes[3].node().membership(group).members().stream()
                    .anyMatch((Member m) -> m.nodeId() == 3 && new3.equals(m.incarnation())));
        }

        List<Proposed> acked = putAll(3, "new", count); // through the new node 3
        for (int g = 0; g < groupCount; g++) {
            long last = acked.get((g + 1) * count - 1).instance();
            int group = g;
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (int n = 1; n <= 3; n++) if (nodes[n].node().status(group).executedInstance() < last) return false;
                return true;
            });
            for (int i = 0; i < count; i++) {
                KvResult r = (KvResult) acked.get(g * count + i).result();
                assertEquals(KvResult.Status.APPLIED, r.status(), "new-" + i + " in group " + g);
                for (int n = 1; n <= 3; n++) {
                    var entry = ((KvStateMachine) nodes[n].stateMachine(g, KvCluster.KV)).get(g, "new-" + i).orElseThrow();
                    assertEquals(r.version(), entry.version(), "node " + n + ", group " + g + ": new-" + i
                            + " stored by the write acknowledged, executed once");
                    assertEquals("new" + i, new String(entry.value()));
                }
            }
        }
        assertNull(nodes[3].node().status(0).failure());
    }
}
