package paxos.transport.netty.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.transport.netty.NettyTransportConfig;

/** The transport's form: members give the peers and the listen port; bad input is named. */
class TransportComponentTest {

    @Test
    void ownEntryGivesThePortTheOthersArePeers() {
        NettyTransportConfig c = TransportComponent.toTransportConfig(
                form(2, "1@127.0.0.1:7001, 2@127.0.0.1:7002,3@::1:7003", "a-secret-of-16-chars+"));
        assertEquals(2, c.nodeId());
        assertEquals(7002, c.listenPort());
        assertEquals("127.0.0.1", c.listenHost());
        assertEquals(Map.of(1, "127.0.0.1:7001", 3, "[::1]:7003"), c.peers());
        assertEquals(8 << 20, c.maxFrameBytes());
        assertNull(c.tls());
    }

    @Test
    void nonsenseIsRefusedNamingIt() {
        assertMessage("nodeId 4 is not one of the members", form(4, "1@h:1,2@h:2", "a-secret-of-16-chars+"));
        assertMessage("bad member 'h:1'", form(1, "h:1", "a-secret-of-16-chars+"));
        assertMessage("member 1 appears twice", form(1, "1@h:1,1@h:2", "a-secret-of-16-chars+"));
        assertMessage("id and port must be numbers", form(1, "1@h:x", "a-secret-of-16-chars+"));
        assertMessage("clusterSecret must be at least 16 bytes", form(1, "1@h:1,2@h:2", "short"));
    }

    private static void assertMessage(String expected, TransportComponent.Config form) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransportComponent.toTransportConfig(form));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static TransportComponent.Config form(int nodeId, String members, String secret) {
        return new TransportComponent.Config() {
            @Override public Class<? extends Annotation> annotationType() { return TransportComponent.Config.class; }
            @Override public int nodeId() { return nodeId; }
            @Override public String members() { return members; }
            @Override public String clusterId() { return "test"; }
            @Override public String _clusterSecret() { return secret; }
            @Override public String listenHost() { return "127.0.0.1"; }
            @Override public int maxFrameBytes() { return 8 << 20; }
            @Override public int outboundQueueMessagesMax() { return 100; }
            @Override public long outboundQueueBytesMax() { return 1 << 20; }
            @Override public long handshakeTimeoutMillis() { return 1_000; }
            @Override public String tlsKeyStore() { return ""; }
            @Override public String _tlsKeyStorePassword() { return ""; }
            @Override public String tlsTrustStore() { return ""; }
            @Override public String _tlsTrustStorePassword() { return ""; }
            @Override public String incarnation() { return ""; }
            @Override public String incarnationsFile() { return ""; }
            @Override public String forgetIncarnations() { return ""; }
        };
    }
}
