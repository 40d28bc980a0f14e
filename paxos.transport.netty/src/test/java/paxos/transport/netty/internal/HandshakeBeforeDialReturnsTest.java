package paxos.transport.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A dialed connection whose handshake completes before the dialing thread has recorded the
 * channel (that thread was descheduled under load) still opens the link: queued messages go out.
 * Before the fix the link ignored the accept as coming from a stranger's channel and stayed
 * connected but silent for good; CI saw it as probes undelivered for 20 s.
 */
class HandshakeBeforeDialReturnsTest {
    private static final byte[] SECRET = "a-cluster-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8);

    @Test
    void acceptArrivingBeforeConnectReturnsStillOpensTheLink() throws Exception {
        Handshake handshake = new Handshake(SECRET, "c");
        PeerLink link = new PeerLink(2, "127.0.0.1", 1, "127.0.0.1", new OutboundQueue(100, 1 << 20),
                new Backoff(20, 200), new RateLimitedLog(System.getLogger("test"), 1000, System::nanoTime),
                new Traffic());
        assertTrue(link.enqueue(7, "queued".getBytes(StandardCharsets.UTF_8)));
        // the link never ran connect(): as if the dialing thread had not come back from it yet
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(), new OutboundHandler(link, 1, handshake, 60_000));
        Handshake.ClientHello hello = Handshake.ClientHello.decode(frame(ch.readOutbound()).body());
        byte[] serverNonce = Handshake.newNonce();
        byte[] mac = handshake.serverMac(hello, 2, serverNonce);
        ch.writeInbound(FrameEncoder.encode(ch.alloc(), Frame.SERVER_HELLO, 0,
                new Handshake.ServerHello(2, serverNonce, mac).encode()));
        assertEquals(Frame.CLIENT_AUTH, frame(ch.readOutbound()).type());
        ch.writeInbound(FrameEncoder.encode(ch.alloc(), Frame.SERVER_ACCEPT, 0, new byte[0]));
        ch.runPendingTasks();
        List<Frame> data = new ArrayList<>();
        for (ByteBuf out; (out = ch.readOutbound()) != null; ) data.add(frame(out));
        assertEquals(1, data.size(), "the queued message went out once the handshake completed");
        assertEquals(Frame.DATA, data.get(0).type());
        assertEquals("queued", new String(data.get(0).body(), StandardCharsets.UTF_8));
        assertTrue(link.status(-1).authenticated());
        ch.finishAndReleaseAll();
    }

    /** Decodes one whole frame the handler wrote. */
    private static Frame frame(ByteBuf buf) {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder());
        decoder.writeInbound(buf);
        Frame f = decoder.readInbound();
        decoder.finishAndReleaseAll();
        return f;
    }
}
