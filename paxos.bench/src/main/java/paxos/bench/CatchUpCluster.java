package paxos.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.spi.log.SyncPolicy;
import paxos.impl.runtime.CheckpointConfig;
import paxos.node.EmbeddedNode;
import paxos.node.NodeConfig;
import paxos.node.NodeIdentityFile;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;
import paxos.transport.netty.NettyTransport;

/**
 * Three {@link EmbeddedNode}s in this JVM running a {@link SegmentMachine} (its checkpoints are
 * its files) in one group, over Netty on 127.0.0.1, with LevelDB logs; nodes stop and start again
 * on the same data directory. Checkpoint transfers are not throttled
 * ({@link #UNTHROTTLED}): the benchmark measures the path itself.
 */
final class CatchUpCluster extends BenchCluster {
    /** Bytes per second of the checkpoint throttle: far above what loopback moves. */
    static final long UNTHROTTLED = 64L << 30;
    private static final int IN_FLIGHT_MAX = 32;
    private static final long PROPOSAL_TIMEOUT_MILLIS = 60_000;

    private final long holdLogCount;
    private final SyncPolicy sync;
    private final int segmentBytes;
    private final EmbeddedNode[] nodes = new EmbeddedNode[4];

    /**
     * @param holdLogCount instances the peers keep behind their state machine's checkpoint
     * @param segmentBytes log segment size (small ones let retention delete log sooner)
     */
    CatchUpCluster(long holdLogCount, SyncPolicy sync, int segmentBytes) throws IOException {
        this.holdLogCount = holdLogCount;
        this.sync = sync;
        this.segmentBytes = segmentBytes;
    }

    EmbeddedNode start(int id) throws IOException {
        NodeConfig c = NodeConfig.builder(id, members).startMode(NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret(SECRET)
                .dataDir(dir.resolve("node-" + id)).groupCount(1).holdLogCount(holdLogCount).syncPolicy(sync).build();
        Files.createDirectories(c.dataDir());
        LevelDbStoreConfig sc = EmbeddedNode.storeConfig(c).withSegmentBytes(segmentBytes).withCleanerIntervalMillis(50);
        LevelDbLogStore store = new LevelDbLogStore(sc);
        NettyTransport transport = new NettyTransport(EmbeddedNode.transportConfig(c));
        CheckpointConfig cc = EmbeddedNode.checkpointConfig(c).withBytesPerSecondMax(UNTHROTTLED);
        try {
            nodes[id] = EmbeddedNode.start(c, store, transport, Map.of(STATE_MACHINE_ID, (group, data) -> new SegmentMachine(data)), cc);
        } catch (IOException | RuntimeException e) {
            transport.close();
            store.close();
            throw e;
        }
        return nodes[id];
    }

    /** Stops a node cleanly; its files stay. */
    void stop(int id) {
        nodes[id].close();
        nodes[id] = null;
    }

    EmbeddedNode node(int id) {
        return nodes[id];
    }

    /**
     * Proposes {@code count} values of {@code valueBytes} each through node {@code via}, at most
     * {@value #IN_FLIGHT_MAX} at a time, and waits for all.
     *
     * @throws IllegalStateException if a write failed
     */
    void write(int via, int count, int valueBytes) throws InterruptedException {
        PaxosNode node = nodes[via].node();
        Semaphore window = new Semaphore(IN_FLIGHT_MAX);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < count && failed.get() == null; i++) {
            byte[] value = new byte[valueBytes];
            java.util.Arrays.fill(value, (byte) i);
            window.acquire();
            node.propose(new Proposal(0, STATE_MACHINE_ID, value, Proposal.NO_MASTER_CONDITION, PROPOSAL_TIMEOUT_MILLIS))
                    .whenComplete((r, e) -> {
                        if (e != null) failed.compareAndSet(null, e);
                        window.release();
                    });
        }
        if (!window.tryAcquire(IN_FLIGHT_MAX, PROPOSAL_TIMEOUT_MILLIS * 2, TimeUnit.MILLISECONDS))
            throw new IllegalStateException("writes did not complete");
        if (failed.get() != null) throw new IllegalStateException("a write failed: " + failed.get(), failed.get());
    }

    @Override
    String mode() {
        return "in-process";
    }

    @Override
    PaxosNode entry() {
        return nodes[1].node();
    }

    @Override
    Map<Integer, PaxosNode> localNodes() {
        Map<Integer, PaxosNode> m = new TreeMap<>();
        for (int id = 1; id <= 3; id++) if (nodes[id] != null) m.put(id, nodes[id].node());
        return m;
    }

    @Override
    long fsyncs() {
        long sum = 0;
        for (int id = 1; id <= 3; id++) if (nodes[id] != null) sum += nodes[id].store().stats().fsyncs();
        return sum;
    }

    @Override
    public void close() throws IOException {
        for (int id = 1; id <= 3; id++) if (nodes[id] != null) stop(id);
        deleteDir();
    }
}
