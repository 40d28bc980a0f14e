package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.api.PaxosNode;
import paxos.plugins.kv.KvEntry;
import paxos.plugins.kv.internal.KvHttp;

/**
 * The KV REST's master-conditional writes at the {@link KvHttp} level, on three real nodes
 * ({@link KvCluster}: LevelDB files, Netty on 127.0.0.1): {@value KvHttp#MASTER_VERSION_HEADER}
 * with a version or {@code current}; 409 when no master exists and when the named master was
 * replaced (the write is then applied on no replica); 400 for a malformed header; LEASE reads
 * answer 421 on a node without a lease.
 */
class KvHttpMasterVersionTest {
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String H = KvHttp.MASTER_VERSION_HEADER;

    @TempDir Path dir;

    @Test
    void writesConditionalOnAReplacedMasterAreRefusedWith409AndAppliedNowhere() throws Exception {
        try (KvCluster c = new KvCluster(dir, 1_000, 1)) {
            for (int id = 1; id <= 3; id++) c.start(id);
            KvHttp http1 = new KvHttp(c.nodes[1].node(), c.kv(1, 0), KvCluster.KV, 10_000);
            KvHttp http2 = new KvHttp(c.nodes[2].node(), c.kv(2, 0), KvCluster.KV, 10_000);

            assertEquals(409, http1.put("k", bytes("a"), null, "current").status(), H + ": current without a master");
            assertEquals(400, http1.put("k", bytes("a"), null, "abc").status(), H + ": malformed");

            // node 1 master with a short lease; any node's write conditional on its version applies
            PaxosNode n1 = c.nodes[1].node();
            PaxosNode n2 = c.nodes[2].node();
            long v1 = get(n1.claimMaster(0, MasterInfo.NONE.version(), 300)).version();
            assertEquals(200, http2.put("k", bytes("a"), null, String.valueOf(v1)).status());
            assertEquals(200, http1.put("k", bytes("b"), null, "current").status());

            // node 2 takes over once node 1's lease ran out (the engine proposes no claim before)
            await().atMost(BOUND).until(() -> takeOver(n2, v1));
            long v2 = n2.master(0).version();
            assertTrue(v2 > v1, "a takeover's version is its later log position");

            paxos.plugin.support.http.HttpAnswer stale = http1.put("k", bytes("c"), null, String.valueOf(v1));
            assertEquals(409, stale.status(), "write conditional on the replaced master");
            assertEquals(409, http2.delete("k", null, String.valueOf(v1)).status(), "delete likewise");
            // a later write through node 1 executed on every replica: so did the refused ones before it
            assertEquals(200, http1.put("fence", bytes("f"), null, null).status());
            await().atMost(BOUND).until(() -> value(c, 1, "fence").isPresent() && value(c, 2, "fence").isPresent()
                    && value(c, 3, "fence").isPresent());
            for (int id = 1; id <= 3; id++)
                assertEquals("b", new String(value(c, id, "k").orElseThrow().value(), StandardCharsets.UTF_8),
                        "refused writes applied on no replica (node " + id + ")");

            assertEquals(200, http1.put("k", bytes("d"), null, String.valueOf(v2)).status(), "the new master's version");
            assertEquals(200, http1.put("k", bytes("e"), null, "current").status());
            assertEquals(421, http1.get("k", "lease").status(), "lease read on a node without a lease");
            assertEquals(200, http2.get("k", "lease").status(), "lease read on the master");
            assertEquals(200, http1.get("k", "linearizable").status());
        }
    }

    /** One takeover attempt: true once node 2 is master (the claim is a no-op while the lease may run). */
    private static boolean takeOver(PaxosNode n2, long expectedVersion) throws Exception {
        try {
            return get(n2.claimMaster(0, expectedVersion, 60_000)).nodeId() == 2;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof MasterChangedException)) throw e;
            return n2.master(0).nodeId() == 2;
        }
    }

    private static Optional<KvEntry> value(KvCluster c, int id, String key) {
        return c.kv(id, 0).get(0, key);
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
