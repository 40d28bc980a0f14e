package paxos.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import paxos.api.PaxosNode;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineFactory;
import paxos.node.EmbeddedNode;
import paxos.node.NodeConfig;

/**
 * The three nodes a benchmark runs against, on 127.0.0.1 with LevelDB logs in a temporary
 * directory (deleted on {@link #close()}). Clients propose through {@link #entry()}.
 */
abstract class BenchCluster implements AutoCloseable {
    /** The ID the benchmark's state machine is registered under (as {@code NodeProcess} does). */
    static final int STATE_MACHINE_ID = 1;
    static final String SECRET = "cluster-bench-secret-0123";

    final Path dir;
    final String members;

    BenchCluster() throws IOException {
        this.dir = Files.createTempDirectory("paxos-bench-");
        this.members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
    }

    /** {@code in-process} or {@code 3-process}. */
    abstract String mode();

    /** The node clients propose through. */
    abstract PaxosNode entry();

    /** Every node, in this JVM or not, for status lines; may be only the local ones. */
    abstract Map<Integer, PaxosNode> localNodes();

    /** fsyncs performed by the three nodes' log stores since they opened. */
    abstract long fsyncs() throws IOException;

    /**
     * CPU time used so far by this JVM (clients, local nodes) and the child JVMs, in nanoseconds;
     * {@code -1} if the platform does not tell.
     */
    long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** Starts one node in this JVM with the benchmark's state machine. */
    EmbeddedNode startLocal(int id, BenchOptions o) {
        return startLocal(id, o, 0);
    }

    /**
     * Starts one node in this JVM with the benchmark's state machine and {@code electionTicks}
     * ({@code 0}: the default), so that a shorter one makes this node the likely first leader.
     */
    EmbeddedNode startLocal(int id, BenchOptions o, int electionTicks) {
        NodeConfig.Builder b = NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret(SECRET).dataDir(dir.resolve("node-" + id))
                .groupCount(o.groups()).syncPolicy(o.sync());
        if (o.windowMax() > 0) b.windowMax(o.windowMax());
        if (electionTicks > 0) b.electionTicks(electionTicks);
        NodeConfig c = b.build();
        StateMachineFactory factory = (group, data) -> new Counting();
        return EmbeddedNode.start(c, Map.of(STATE_MACHINE_ID, factory));
    }

    void deleteDir() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Counts commands; the cheapest deterministic state machine. Executes on one thread. */
    static final class Counting implements StateMachine {
        private long count;

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            for (Command c : batch.commands()) results.complete(c.index(), ++count);
        }
    }
}
