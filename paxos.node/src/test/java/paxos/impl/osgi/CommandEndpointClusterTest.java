package paxos.impl.osgi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.SyncPolicy;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.EncodedResult;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.ResultEncoder;
import paxos.api.statemachine.StateMachine;
import paxos.node.EmbeddedNode;
import paxos.node.NodeConfig;

/**
 * The command endpoint on three real embedded nodes (LevelDB files, Netty on 127.0.0.1): commands
 * sent through two nodes reach a counter state machine on every replica, the answer is the
 * counter's own encoding with the command's position, and an ID not registered is 404.
 * (In package {@code paxos.impl.osgi} to reach the package-private resource; the servlet around
 * it only adds authentication, tested in {@code CommandResourceTest}.)
 */
class CommandEndpointClusterTest {
    private static final int COUNTER = 7;

    @TempDir Path dir;

    /** Adds each command's decimal value to a total; encodes results as JSON. */
    static final class Counter implements StateMachine, ResultEncoder {
        volatile long total;

        @Override
        public synchronized void execute(ExecutionBatch batch, ExecutionResults results) {
            for (Command c : batch.commands()) {
                total += Long.parseLong(new String(c.value(), StandardCharsets.UTF_8).trim());
                results.complete(c.index(), total);
            }
        }

        @Override
        public EncodedResult encode(Object result) {
            return new EncodedResult(("{\"total\":" + result + "}").getBytes(StandardCharsets.UTF_8), "application/json");
        }
    }

    @Test
    void commandsThroughAnyNodeExecuteEverywhereAndAnswerTheEncodedResult() throws Exception {
        String members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        EmbeddedNode[] nodes = new EmbeddedNode[4];
        try {
            for (int id = 1; id <= 3; id++) {
                NodeConfig c = NodeConfig.builder(id, members).startMode(paxos.node.NodeIdentityFile.StartMode.BOOTSTRAP).clusterSecret("a-secret-of-sixteen+")
                        .dataDir(dir.resolve("n" + id)).groupCount(1).syncPolicy(SyncPolicy.NONE).build();
                nodes[id] = EmbeddedNode.start(c, Map.of(COUNTER, (group, data) -> new Counter()));
            }
            CommandResource.Answer first = post(nodes[1], "/0/statemachines/7", "5");
            assertEquals(200, first.status(), text(first));
            assertEquals("application/json", first.contentType());
            assertEquals("{\"total\":5}", text(first));
            assertTrue(Long.parseLong(first.headers().get("X-Paxos-Instance")) >= 0);
            CommandResource.Answer second = post(nodes[2], "/0/statemachines/7", "3");
            assertEquals("{\"total\":8}", text(second));
            assertTrue(Long.parseLong(second.headers().get("X-Paxos-Instance"))
                    > Long.parseLong(first.headers().get("X-Paxos-Instance")), "a later instance");

            CommandResource.Answer unknown = post(nodes[3], "/0/statemachines/8", "1");
            assertEquals(404, unknown.status());
            assertTrue(text(unknown).contains("no state machine 8 is registered for group 0"), text(unknown));

            await().atMost(Duration.ofSeconds(30)).until(() -> counter(nodes[1]) == 8 && counter(nodes[2]) == 8
                    && counter(nodes[3]) == 8);
        } finally {
            for (EmbeddedNode n : nodes) if (n != null) n.close();
        }
    }

    private static long counter(EmbeddedNode n) {
        return ((Counter) n.stateMachine(0, COUNTER)).total;
    }

    private static CommandResource.Answer post(EmbeddedNode n, String path, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new CommandResource(n.node(), n.engine()::resultEncoder, 30_000)
                .post(path, new ByteArrayInputStream(bytes), bytes.length);
    }

    private static String text(CommandResource.Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
