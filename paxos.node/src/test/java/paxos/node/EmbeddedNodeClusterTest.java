package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposed;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineFactory;

/** Three embedded nodes in one JVM: real LevelDB files, real Netty sockets on 127.0.0.1. */
class EmbeddedNodeClusterTest {
    @TempDir Path dir;
    private final List<EmbeddedNode> nodes = new ArrayList<>();

    /** Counts executed commands; in memory, so it replays the whole log at every start. */
    static final class Counter implements StateMachine {
        volatile long count;
        volatile long sum;

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            for (Command c : batch.commands()) {
                count++;
                sum = sum * 31 + java.util.Arrays.hashCode(c.value());
                results.complete(c.index(), count);
            }
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @AfterEach
    void close() {
        for (EmbeddedNode n : nodes) n.close();
    }

    @Test
    void threeNodesAgreeOverRealSocketsAndFiles() throws Exception {
        String members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        StateMachineFactory factory = (group, data) -> new Counter();
        for (int id = 1; id <= 3; id++) {
            NodeConfig c = NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret("a-secret-of-sixteen+").dataDir(dir.resolve("n" + id))
                    .groupCount(2).build();
            nodes.add(EmbeddedNode.start(c, Map.of(1, factory)));
        }
        List<CompletionStage<Proposed>> stages = new ArrayList<>();
        for (int i = 0; i < 300; i++) stages.add(nodes.get(i % 3).node().propose(i % 2, 1, ("value-" + i).getBytes()));
        for (CompletionStage<Proposed> s : stages) s.toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (int g = 0; g < 2; g++) {
            int group = g;
            await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream()
                    .allMatch(n -> ((Counter) n.stateMachine(group, 1)).count == 150));
            long sum = ((Counter) nodes.get(0).stateMachine(g, 1)).sum;
            for (EmbeddedNode n : nodes) assertEquals(sum, ((Counter) n.stateMachine(g, 1)).sum);
        }
    }
}
