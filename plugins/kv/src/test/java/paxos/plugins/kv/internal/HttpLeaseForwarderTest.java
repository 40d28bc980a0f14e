package paxos.plugins.kv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Forwarding a LEASE read to the master's HTTP address: parsing, the answer passed back, failures. */
class HttpLeaseForwarderTest {

    @Test
    void membersAreParsedAndBadEntriesNamed() {
        assertEquals(Map.of(1, "http://127.0.0.1:8081", 2, "http://10.0.0.2:80"),
                HttpLeaseForwarder.parseMembers(" 1@127.0.0.1:8081, 2@10.0.0.2:80 "));
        assertEquals(Map.of(), HttpLeaseForwarder.parseMembers(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HttpLeaseForwarder.parseMembers("1@h:1,h:2"));
        assertTrue(e.getMessage().contains("'h:2'"), e.getMessage());
    }

    @Test
    void theMastersAnswerIsPassedBackAndTheRequestMarkedForwarded() throws IOException {
        HttpServer master = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> seen = new AtomicReference<>();
        master.createContext("/kv/", exchange -> {
            seen.set(exchange.getRequestURI() + " forwarded by " + exchange.getRequestHeaders().getFirst("X-Paxos-Forwarded"));
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("ETag", "\"7\"");
            exchange.getResponseHeaders().add("X-Paxos-Instance", "42");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        master.start();
        try {
            HttpLeaseForwarder forwarder = new HttpLeaseForwarder(
                    Map.of(3, "http://127.0.0.1:" + master.getAddress().getPort()), 1, 5_000);
            paxos.plugin.support.http.HttpAnswer r = forwarder.forward(3, "a key+x");
            assertEquals(200, r.status());
            assertEquals(7L, r.version());
            assertEquals(42L, r.instance());
            assertEquals("hello", new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("/kv/a%20key%2Bx?consistency=lease forwarded by 1", seen.get());
            assertNull(forwarder.forward(2, "k"), "a node it does not know: no forwarding");
        } finally {
            master.stop(0);
        }
    }

    @Test
    void aMasterThatDoesNotAnswerIsA503() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        paxos.plugin.support.http.HttpAnswer r = new HttpLeaseForwarder(Map.of(2, "http://127.0.0.1:" + port), 1, 2_000).forward(2, "k");
        assertEquals(503, r.status());
        assertNull(r.instance(), "not a KV answer");
    }
}
