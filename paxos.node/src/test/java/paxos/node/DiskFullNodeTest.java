package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.PaxosException;
import paxos.api.Proposal;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.spi.log.LogUnavailableException;
import paxos.plugin.support.http.PaxosCalls;
import paxos.plugins.kv.KvCommand;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.transport.netty.NettyTransport;

/**
 * A full disk under one node of a real cluster (LevelDB, Netty on 127.0.0.1), injected as the
 * store's own refusal ({@code LogUnavailableException "disk full"}; the store's side, a real
 * {@code ENOSPC} on a small file system, is {@code WriterFaultTest} and {@code DiskFullTest} in
 * paxos.storage.leveldb): writes through that node are refused with an answer that maps to 503,
 * nothing acknowledged is lost, and once space is back and the node restarted, writes through it
 * succeed and it holds every acknowledged write.
 */
class DiskFullNodeTest {
    @TempDir Path dir;
    private KvCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aNodeWithAFullDiskAnswers503LosesNothingAcknowledgedAndWritesAgainAfterARestart() throws Exception {
        cluster = new KvCluster(dir, 1_000, 1);
        FullDisk disk = startWithFullDisk(1);
        cluster.start(2);
        cluster.start(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes[1].node().status(0).leaderNodeId() != 0
                && cluster.nodes[1].engine().quorumReachable(0));
        cluster.write(1, 0, "before", 20, 100);

        disk.full = true;
        PaxosException refused = refusal(put(1, "during"));
        assertEquals(503, PaxosCalls.failure(refused).status(), refused.toString());
        PaxosException again = refusal(put(1, "during-2"));
        assertEquals(503, PaxosCalls.failure(again).status(), again.toString());
        // the other two still form a quorum: writes go on through them
        cluster.write(2, 0, "others", 5, 100);

        disk.full = false; // space freed; the node's group stays stopped until the node restarts
        cluster.stop(1);
        cluster.start(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes[1].node().status(0).failure() == null
                && cluster.nodes[1].engine().quorumReachable(0));
        cluster.write(1, 0, "after", 5, 100);
        for (String key : List.of("before0", "before19", "others4", "after4")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.kv(1, 0).get(0, key).isPresent());
            for (int id = 2; id <= 3; id++) {
                int node = id;
                await().atMost(Duration.ofSeconds(30)).until(() -> cluster.kv(node, 0).get(0, key).isPresent());
            }
        }
    }

    private CompletableFuture<?> put(int via, String key) {
        byte[] cmd = KvCommand.put(key, new byte[100]).encode();
        return cluster.nodes[via].node().propose(new Proposal(0, KvCluster.KV, cmd, Proposal.NO_MASTER_CONDITION, 20_000))
                .toCompletableFuture();
    }

    private static PaxosException refusal(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        return assertInstanceOf(PaxosException.class, e.getCause());
    }

    /** Starts node {@code id} like {@link KvCluster#start} but on a store whose disk can fill up. */
    private FullDisk startWithFullDisk(int id) throws Exception {
        NodeConfig c = cluster.config(id);
        Files.createDirectories(c.dataDir());
        FullDisk store = new FullDisk(new LevelDbLogStore(EmbeddedNode.storeConfig(c)));
        NettyTransport transport = new NettyTransport(EmbeddedNode.transportConfig(c));
        cluster.nodes[id] = EmbeddedNode.start(c, store, transport, Map.of(KvCluster.KV, KvCluster.kvFactory()));
        return store;
    }

    /** A store that refuses every append as LevelDbLogStore does on ENOSPC while {@link #full}. */
    private static final class FullDisk implements LogStore {
        private final LogStore store;
        volatile boolean full;

        FullDisk(LogStore store) {
            this.store = store;
        }

        private CompletionStage<Void> refuse() {
            return CompletableFuture.failedFuture(new LogUnavailableException(
                    "disk full: No space left on device (appends fail until space is freed)"));
        }

        @Override public CompletionStage<Void> append(List<LogRecord> records) {
            return full ? refuse() : store.append(records);
        }
        @Override public CompletionStage<Void> appendUnsynced(List<LogRecord> records) {
            return full ? refuse() : store.appendUnsynced(records);
        }
        @Override public Optional<InstanceRecord> read(int group, long instance) { return store.read(group, instance); }
        @Override public List<InstanceRecord> readRange(int group, long from, long to, int maxCount) {
            return store.readRange(group, from, to, maxCount);
        }
        @Override public long promisedBallot(int group) { return store.promisedBallot(group); }
        @Override public Optional<byte[]> meta(int group, String key) { return store.meta(group, key); }
        @Override public LogRange range(int group) { return store.range(group); }
        @Override public void retainFrom(int group, long minInstance) { store.retainFrom(group, minInstance); }
        @Override public void pauseCleaning() { store.pauseCleaning(); }
        @Override public void resumeCleaning() { store.resumeCleaning(); }
        @Override public int maxValueBytes() { return store.maxValueBytes(); }
        @Override public LogStoreStats stats() { return store.stats(); }
        @Override public void close() { store.close(); }
    }
}
