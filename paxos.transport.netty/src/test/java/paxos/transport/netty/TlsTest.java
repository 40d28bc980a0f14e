package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;
import static paxos.transport.netty.TestNodes.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.TransportException;
import paxos.transport.netty.TestNodes.Inbox;

/** Mutual TLS with stores made by the JDK's keytool at test time. */
class TlsTest {
    private static final String PASSWORD = "store-password";

    @TempDir
    static Path dir;

    private final TestNodes.Started started = new TestNodes.Started();

    /** Key pairs for node 1, node 2 and a rogue (untrusted) node; a trust store with nodes 1 and 2. */
    @BeforeAll
    static void makeStores() throws Exception {
        List<Process> keytools = new ArrayList<>();
        for (String name : List.of("node1", "node2", "rogue")) {
            keytools.add(new ProcessBuilder(keytool(), "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-genkeypair", "-alias", name, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start());
        }
        for (Process p : keytools) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool timed out");
            assertEquals(0, p.exitValue(), "keytool failed");
        }
        // the trust store: the two members' certificates (assembled with the KeyStore API, read back by the transport)
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (String name : List.of("node1", "node2")) {
            KeyStore keys = KeyStore.getInstance(dir.resolve(name + ".p12").toFile(), PASSWORD.toCharArray());
            trust.setCertificateEntry(name, keys.getCertificate(name));
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("trust.p12"))) {
            trust.store(out, PASSWORD.toCharArray());
        }
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static TlsStores stores(String keyStoreName) {
        return new TlsStores(dir.resolve(keyStoreName + ".p12"), PASSWORD, dir.resolve("trust.p12"), PASSWORD);
    }

    @AfterEach
    void closeAll() {
        started.close();
    }

    private NettyTransport start(NettyTransportConfig config, Inbox inbox) {
        return started.start(config, inbox);
    }

    @Test
    void mutualTlsWithTrustedCertificatesDelivers() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        NettyTransport node1 = start(config(1, ports).withTls(stores("node1")), inbox1);
        NettyTransport node2 = start(config(2, ports).withTls(stores("node2")), inbox2);
        for (int i = 0; i < 100; i++) {
            node1.send(2, 1, text("to2-" + i));
            node2.send(1, 1, text("to1-" + i));
        }
        awaiting().until(() -> inbox1.size() == 100 && inbox2.size() == 100);
        assertEquals("to2-99", inbox2.textsFrom(1).get(99));
        assertTrue(node1.peers().get(0).authenticated());
    }

    @Test
    void untrustedClientCertificateIsRejected() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox2 = new Inbox();
        NettyTransport node2 = start(config(2, ports).withTls(stores("node2")), inbox2);
        // knows the cluster secret, but its certificate is not in node 2's trust store
        NettyTransport rogue = start(config(1, ports).withTls(stores("rogue")), new Inbox());
        rogue.send(2, 1, text("let me in"));
        awaiting().until(() -> rogue.peers().get(0).lastError() != null);
        PeerStatus status = rogue.peers().get(0);
        assertFalse(status.authenticated());
        assertEquals(0, status.messagesSent());
        assertEquals(0, inbox2.size());
        assertTrue(node2.inboundPeers().isEmpty());
        // and node 2 refuses to talk to the rogue as a server
        node2.send(1, 1, text("hello?"));
        awaiting().until(() -> node2.peers().get(0).lastError() != null);
        assertFalse(node2.peers().get(0).authenticated());
    }

    @Test
    void plainClientCannotTalkToTlsNode() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox2 = new Inbox();
        start(config(2, ports).withTls(stores("node2")), inbox2);
        NettyTransport plain = start(config(1, ports), new Inbox());
        plain.send(2, 1, text("plain"));
        awaiting().until(() -> plain.peers().get(0).lastError() != null);
        assertEquals(0, inbox2.size());
    }

    @Test
    void missingStoreFailsAtStartNamingTheFile() throws IOException {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Path missing = dir.resolve("missing.p12");
        NettyTransport node = new NettyTransport(config(1, ports)
                .withTls(new TlsStores(missing, PASSWORD, dir.resolve("trust.p12"), PASSWORD)));
        started.track(node);
        TransportException e = assertThrows(TransportException.class, () -> node.start(new Inbox()));
        assertTrue(e.getMessage().contains("missing.p12"), e.getMessage());
        try (InputStream ignored = Files.newInputStream(dir.resolve("trust.p12"))) {
            // the trust store is fine; only the key store was missing
        }
    }
}
