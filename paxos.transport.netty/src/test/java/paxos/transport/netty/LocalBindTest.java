package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import paxos.transport.netty.TestNodes.Inbox;

/**
 * Outgoing connections leave from the node's listen address (Linux routes all of 127/8 on lo):
 * the accepting side sees the dialer's configured listen host as the remote address.
 */
class LocalBindTest {
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void closeAll() {
        started.close();
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.11, 127.0.0.12", "127.0.0.12, 127.0.0.11"})
    void peerSeesTheDialerComingFromItsListenAddress(String dialerHost, String peerHost) throws IOException {
        try (ServerSocket peer = new ServerSocket()) {
            peer.bind(new InetSocketAddress(peerHost, 0));
            peer.setSoTimeout(10_000);
            NettyTransportConfig config = NettyTransportConfig.of(1, TestNodes.CLUSTER, TestNodes.SECRET, 0,
                    Map.of(2, peerHost + ":" + peer.getLocalPort())).withListen(dialerHost, 0);
            started.start(config, new Inbox());
            try (Socket accepted = peer.accept()) {
                assertEquals(InetAddress.getByName(dialerHost), accepted.getInetAddress());
            }
        }
    }

    @Test
    void twoNodesOnDistinctLoopbackAddressesExchangeMessages() {
        int port1 = freePortOn("127.0.0.11");
        int port2 = freePortOn("127.0.0.12");
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        NettyTransport node1 = started.start(NettyTransportConfig.of(1, TestNodes.CLUSTER, TestNodes.SECRET, port1,
                Map.of(2, "127.0.0.12:" + port2)).withListen("127.0.0.11", port1), inbox1);
        NettyTransport node2 = started.start(NettyTransportConfig.of(2, TestNodes.CLUSTER, TestNodes.SECRET, port2,
                Map.of(1, "127.0.0.11:" + port1)).withListen("127.0.0.12", port2), inbox2);
        node1.send(2, 0, TestNodes.text("to-2"));
        node2.send(1, 0, TestNodes.text("to-1"));
        TestNodes.awaiting().until(() -> inbox2.textsFrom(1).contains("to-2") && inbox1.textsFrom(2).contains("to-1"));
    }

    private static int freePortOn(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
