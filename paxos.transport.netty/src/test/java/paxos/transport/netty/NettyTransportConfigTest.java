package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The config rejects nonsense with a message naming the field, and keeps its secret. */
class NettyTransportConfigTest {
    private static final Map<Integer, String> PEERS = Map.of(2, "127.0.0.1:7002", 3, "[::1]:7003");

    private static NettyTransportConfig valid() {
        return NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, PEERS);
    }

    private static void assertRejected(String fragment, Supplier<NettyTransportConfig> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void defaultsAreSane() {
        NettyTransportConfig c = valid();
        assertEquals("127.0.0.1", c.listenHost());
        assertEquals(16 << 20, c.maxFrameBytes());
        assertEquals(null, c.tls());
        assertTrue(c.nativeTransport());
        assertEquals((16 << 20) - 14, new NettyTransport(c).maxMessageBytes());
    }

    @Test
    void nonsenseIsRejectedNamingTheField() {
        assertRejected("nodeId", () -> NettyTransportConfig.of(0, "prod", TestNodes.SECRET, 7001, PEERS));
        assertRejected("clusterId", () -> NettyTransportConfig.of(1, " ", TestNodes.SECRET, 7001, PEERS));
        assertRejected("clusterSecret", () -> NettyTransportConfig.of(1, "prod", new byte[8], 7001, PEERS));
        assertRejected("listenPort", () -> NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 70_000, PEERS));
        assertRejected("own ID", () -> NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, Map.of(1, "127.0.0.1:1")));
        assertRejected("host:port", () -> NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, Map.of(2, "nohost")));
        assertRejected("port", () -> NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, Map.of(2, "h:0")));
        assertRejected("[addr]:port", () -> NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, Map.of(2, "::1:7")));
        assertRejected("listenHost", () -> valid().withListen("0.0.0.0", 7001));
        assertRejected("listenHost", () -> valid().withListen("::", 7001));
        assertRejected("maxFrameBytes", () -> valid().withMaxFrameBytes(NettyTransportConfig.MAX_FRAME_BYTES_CAP + 1));
        assertRejected("maxFrameBytes", () -> valid().withMaxFrameBytes(100));
        assertRejected("outboundQueueBytesMax", () -> valid().withOutboundQueue(10, 1024));
        assertRejected("outboundQueueMessagesMax", () -> valid().withOutboundQueue(0, 64L << 20));
        assertRejected("reconnectBackoffMaxMillis", () -> valid().withReconnectBackoff(500, 100));
        assertRejected("handshakeTimeoutMillis", () -> valid().withHandshakeTimeoutMillis(0));
        assertRejected("ioThreads", () -> valid().withIo(0, true));
    }

    @Test
    void secretIsCopiedAndNeverPrinted() {
        byte[] secret = TestNodes.SECRET.clone();
        NettyTransportConfig c = NettyTransportConfig.of(1, "prod", secret, 7001, PEERS);
        secret[0] ^= 1;
        assertEquals(TestNodes.SECRET[0], c.clusterSecret()[0]);
        assertNotSame(c.clusterSecret(), c.clusterSecret());
        assertFalse(c.toString().contains(new String(TestNodes.SECRET)));
        assertEquals(c, NettyTransportConfig.of(1, "prod", TestNodes.SECRET, 7001, PEERS));
        TlsStores tls = new TlsStores(java.nio.file.Path.of("k.p12"), "kpass-123", java.nio.file.Path.of("t.p12"), "tpass-456");
        assertFalse(c.withTls(tls).toString().contains("kpass-123"));
    }
}
