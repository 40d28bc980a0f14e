package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;
import static paxos.transport.netty.TestNodes.text;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import paxos.transport.netty.TestNodes.Inbox;

/** Raw sockets sending junk to a node: each junk connection is closed, the node keeps serving. */
class GarbageTest {
    private final List<NettyTransport> started = new ArrayList<>();
    private Map<Integer, Integer> ports;
    private NettyTransport node1;
    private NettyTransport node2;
    private final Inbox inbox1 = new Inbox();
    private final Inbox inbox2 = new Inbox();

    @BeforeEach
    void startPair() {
        ports = TestNodes.ports(2);
        node1 = new NettyTransport(config(1, ports));
        node2 = new NettyTransport(config(2, ports).withHandshakeTimeoutMillis(500));
        started.add(node1);
        started.add(node2);
        node1.start(inbox1);
        node2.start(inbox2);
    }

    @AfterEach
    void closeAll() {
        started.forEach(NettyTransport::close);
    }

    /** Writes {@code junk} to node 2's port and waits for node 2 to close the connection. */
    private void assertClosedAfter(byte[] junk) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports.get(2))) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(junk);
                InputStream in = socket.getInputStream();
                while (in.read() != -1) {
                    // nothing is expected; a server hello would only follow a valid client hello
                }
            } catch (SocketException reset) {
                // a reset is a close too
            }
        }
    }

    private void assertStillServing(String tag) {
        int before1 = inbox1.size();
        int before2 = inbox2.size();
        node1.send(2, 1, text(tag));
        node2.send(1, 1, text(tag));
        awaiting().until(() -> inbox2.size() == before2 + 1 && inbox1.size() == before1 + 1);
        assertEquals(tag, inbox2.textsFrom(1).get(before2));
    }

    @Test
    void randomBytesCloseTheConnection() throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            byte[] junk = new byte[1 + random.nextInt(3000)];
            random.nextBytes(junk);
            assertClosedAfter(junk);
        }
        assertStillServing("after random bytes");
    }

    @Test
    void oversizeLengthClosesWithoutWaitingForTheBody() throws IOException {
        assertClosedAfter(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
        assertClosedAfter(ByteBuffer.allocate(4).putInt(-1).array());
        assertStillServing("after oversize");
    }

    @Test
    void wrongVersionBadCrcAndDataBeforeHandshakeClose() throws IOException {
        assertClosedAfter(ByteBuffer.allocate(16).putInt(12).put((byte) 9).array());
        byte[] badCrc = ByteBuffer.allocate(14).putInt(10).put((byte) 1).put((byte) 16).putInt(0).putInt(12345).array();
        assertClosedAfter(badCrc);
        io.netty.buffer.ByteBuf data = paxos.transport.netty.internal.FrameEncoder.encode(
                io.netty.buffer.ByteBufAllocator.DEFAULT, paxos.transport.netty.internal.Frame.DATA, 1, text("sneaky"));
        byte[] dataFrame = new byte[data.readableBytes()];
        data.readBytes(dataFrame);
        data.release();
        assertClosedAfter(dataFrame);
        assertStillServing("after protocol junk");
        assertTrue(inbox2.textsFrom(1).stream().noneMatch("sneaky"::equals));
    }

    @Test
    void truncatedFrameIsClosedByTheHandshakeTimeout() throws IOException {
        assertClosedAfter(ByteBuffer.allocate(8).putInt(100).put((byte) 1).array()); // 95 bytes never come
        assertStillServing("after truncated");
    }
}
