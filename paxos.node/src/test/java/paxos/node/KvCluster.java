package paxos.node;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import paxos.api.Proposal;
import paxos.api.spi.log.SyncPolicy;
import paxos.api.statemachine.StateMachineFactory;
import paxos.impl.runtime.CheckpointConfig;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.internal.KvStateMachine;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;
import paxos.transport.netty.NettyTransport;

/**
 * Three embedded nodes running the KV state machine (id 1) on real LevelDB files and real Netty
 * sockets on 127.0.0.1, with small log segments so that retention really deletes log.
 */
final class KvCluster implements AutoCloseable {
    static final int KV = 1;
    final Path dir;
    final String members;
    final EmbeddedNode[] nodes = new EmbeddedNode[4];
    final long holdLogCount;
    final int groupCount;
    java.util.function.UnaryOperator<CheckpointConfig> tuner = c -> c;
    /** The KV state machine's factory on each node (tests swap in a faulty one). */
    java.util.function.IntFunction<StateMachineFactory> factoryOf = id -> kvFactory();

    KvCluster(Path dir, long holdLogCount, int groupCount) throws Exception {
        this.dir = dir;
        this.holdLogCount = holdLogCount;
        this.groupCount = groupCount;
        this.members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    NodeConfig config(int id) {
        return NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("n" + id))
                .groupCount(groupCount).holdLogCount(holdLogCount).syncPolicy(SyncPolicy.NONE).build();
    }

    static StateMachineFactory kvFactory() {
        return (group, data) -> new KvStateMachine(data);
    }

    EmbeddedNode start(int id) throws Exception {
        NodeConfig c = config(id);
        java.nio.file.Files.createDirectories(c.dataDir());
        LevelDbStoreConfig sc = EmbeddedNode.storeConfig(c).withSegmentBytes(16 << 10).withCleanerIntervalMillis(50);
        LevelDbLogStore store = new LevelDbLogStore(sc);
        NettyTransport transport = new NettyTransport(EmbeddedNode.transportConfig(c));
        CheckpointConfig cc = tuner.apply(EmbeddedNode.checkpointConfig(c));
        try {
            nodes[id] = EmbeddedNode.start(c, store, transport, Map.of(KV, factoryOf.apply(id)), cc);
        } catch (Exception e) {
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

    KvStateMachine kv(int id, int group) {
        return (KvStateMachine) nodes[id].stateMachine(group, KV);
    }

    /**
     * Puts {@code count} keys with values of {@code valueBytes} through node {@code via}; waits for all.
     * A proposal that times out (e.g. forwarded to a leader that was just stopped) is proposed again:
     * the test needs the keys, not exactly-once.
     */
    void write(int via, int group, String prefix, int count, int valueBytes) {
        List<byte[]> pending = new ArrayList<>();
        List<CompletableFuture<?>> fs = new ArrayList<>();
        byte[] value = new byte[valueBytes];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(value, (byte) i);
            byte[] cmd = KvCommand.put(prefix + i, value.clone()).encode();
            pending.add(cmd);
            fs.add(propose(via, group, cmd));
            if (fs.size() >= (valueBytes > 8192 ? 8 : 64)) settle(via, group, pending, fs);
        }
        settle(via, group, pending, fs);
    }

    private CompletableFuture<?> propose(int via, int group, byte[] cmd) {
        return nodes[via].node().propose(new Proposal(group, KV, cmd, Proposal.NO_MASTER_CONDITION, 20_000)).toCompletableFuture();
    }

    private void settle(int via, int group, List<byte[]> pending, List<CompletableFuture<?>> fs) {
        for (int i = 0; i < fs.size(); i++) {
            for (int attempt = 1; ; attempt++) {
                try {
                    fs.get(i).orTimeout(60, TimeUnit.SECONDS).join();
                    break;
                } catch (java.util.concurrent.CompletionException e) {
                    if (attempt >= 5) throw e;
                    fs.set(i, propose(via, group, pending.get(i)));
                }
            }
        }
        fs.clear();
        pending.clear();
    }

    @Override
    public void close() {
        for (int i = 1; i <= 3; i++) if (nodes[i] != null) nodes[i].close();
    }
}
