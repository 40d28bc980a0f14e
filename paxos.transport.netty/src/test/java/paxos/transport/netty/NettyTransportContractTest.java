package paxos.transport.netty;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import paxos.api.spi.transport.Transport;
import paxos.testkit.TransportContract;

/** The Netty transport on 127.0.0.1 (free ports) keeps the transport contract. */
class NettyTransportContractTest extends TransportContract {
    private static final Random RANDOM = new Random();

    /**
     * A port free on 127.0.0.1 below Linux's ephemeral range (32768+). A port from
     * {@code ServerSocket(0)} is handed out again as the local port of outgoing connections, and
     * the suite restarts nodes on their port (the restart test) while earlier transports' and other
     * processes' connections come and go: binding then failed now and then with "address in use".
     */
    private static int portBelowEphemeralRange() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + RANDOM.nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        return TestNodes.freePort();
    }

    @Override
    protected Cluster cluster(List<Integer> nodeIds) {
        Map<Integer, Integer> ports = new TreeMap<>();
        for (int id : nodeIds) ports.put(id, portBelowEphemeralRange());
        return new Cluster() {
            @Override
            public Transport create(int nodeId) {
                return new NettyTransport(TestNodes.config(nodeId, ports));
            }

            @Override
            public Transport impostor(int nodeId) {
                NettyTransportConfig genuine = TestNodes.config(nodeId, ports);
                return new NettyTransport(NettyTransportConfig.of(nodeId, TestNodes.CLUSTER,
                                "not-the-cluster-secret-at-all".getBytes(StandardCharsets.UTF_8), ports.get(nodeId),
                                genuine.peers())
                        .withReconnectBackoff(20, 200));
            }

            @Override
            public void close() {
                // every transport is closed by the suite
            }
        };
    }
}
