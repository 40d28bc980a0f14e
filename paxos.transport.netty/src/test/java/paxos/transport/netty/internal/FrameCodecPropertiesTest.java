package paxos.transport.netty.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The frame codec: round trips, and a decoder that survives anything a peer can send. */
class FrameCodecPropertiesTest {
    private static final int CAP = 64 << 10;

    /** Collects what the decoder emits and the errors it raises, so writeInbound never throws. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<Frame> frames = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            frames.add((Frame) msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    }

    private static EmbeddedChannel channel(Sink sink) {
        FrameDecoder decoder = new FrameDecoder();
        decoder.raiseMaxFrameBytes(CAP);
        return new EmbeddedChannel(decoder, sink);
    }

    private static byte[] encode(byte type, int group, byte[] body) {
        ByteBuf buf = FrameEncoder.encode(ByteBufAllocator.DEFAULT, type, group, body);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    @Provide
    Arbitrary<Byte> types() {
        return Arbitraries.of(Frame.CLIENT_HELLO, Frame.SERVER_HELLO, Frame.CLIENT_AUTH, Frame.SERVER_ACCEPT, Frame.DATA);
    }

    @Property(tries = 300)
    void framesRoundTripWhateverTheChunking(@ForAll("types") byte type, @ForAll int group,
                                            @ForAll @Size(max = 3) List<@Size(max = 2000) byte[]> bodies,
                                            @ForAll @IntRange(min = 1, max = 97) int chunkBytes) {
        ByteBuf stream = Unpooled.buffer();
        for (byte[] body : bodies) stream.writeBytes(encode(type, group, body));
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        while (stream.isReadable()) ch.writeInbound(stream.readRetainedSlice(Math.min(chunkBytes, stream.readableBytes())));
        stream.release();
        assertTrue(sink.errors.isEmpty(), () -> "errors: " + sink.errors);
        assertEquals(bodies.size(), sink.frames.size());
        for (int i = 0; i < bodies.size(); i++) {
            Frame frame = sink.frames.get(i);
            assertEquals(type, frame.type());
            assertEquals(group, frame.group());
            assertArrayEquals(bodies.get(i), frame.body());
        }
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Property(tries = 40)
    void largeFramesBuiltOfPiecesRoundTripWhateverTheChunking(@ForAll @IntRange(min = 1, max = 5 * FrameEncoder.PIECE_BYTES) int bodyBytes,
                                                            @ForAll @IntRange(min = 1, max = 3 * FrameEncoder.PIECE_BYTES) int chunkBytes,
                                                            @ForAll int seed) {
        byte[] body = new byte[bodyBytes];
        new java.util.Random(seed).nextBytes(body);
        byte[] wire = encode(Frame.DATA, 5, body);
        assertEquals(Frame.OVERHEAD_BYTES + bodyBytes, wire.length);
        Sink sink = new Sink();
        FrameDecoder decoder = new FrameDecoder();
        decoder.raiseMaxFrameBytes(8 * FrameEncoder.PIECE_BYTES);
        EmbeddedChannel ch = new EmbeddedChannel(decoder, sink);
        // two frames back to back, cut anywhere: the composite cumulation must find both
        ByteBuf stream = Unpooled.buffer().writeBytes(wire).writeBytes(wire);
        while (stream.isReadable()) ch.writeInbound(stream.readRetainedSlice(Math.min(chunkBytes, stream.readableBytes())));
        stream.release();
        assertTrue(sink.errors.isEmpty(), () -> "errors: " + sink.errors);
        assertEquals(2, sink.frames.size());
        for (Frame f : sink.frames) assertArrayEquals(body, f.body());
        ch.finishAndReleaseAll();
    }

    @Property(tries = 500)
    void randomBytesNeverYieldAFrameOrAnythingButACorruptionError(@ForAll @Size(max = 4096) byte[] garbage) {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.wrappedBuffer(garbage));
        // a random 32-bit CRC matching by chance is a 2^-32 event: treat any frame as a failure
        assertTrue(sink.frames.isEmpty(), "random bytes decoded as a frame");
        for (Throwable error : sink.errors) assertCorruption(error);
        assertTrue(sink.errors.size() <= 1, "one error per stream, then silence");
        ch.finishAndReleaseAll();
    }

    @Property(tries = 1000)
    void mutatedFramesAreRejectedOrWaitNeverMisread(@ForAll @Size(max = 512) byte[] body, @ForAll int group,
                                                     @ForAll @IntRange(min = 0, max = 10_000) int position,
                                                     @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] frame = encode(Frame.DATA, group, body);
        frame[position % frame.length] ^= (byte) xor;
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.wrappedBuffer(frame));
        assertTrue(sink.frames.isEmpty(), "a mutated frame was accepted");
        for (Throwable error : sink.errors) assertCorruption(error);
        ch.finishAndReleaseAll();
    }

    @Property(tries = 300)
    void truncatedFramesWaitWithoutError(@ForAll @Size(max = 512) byte[] body, @ForAll @IntRange(min = 0, max = 10_000) int cut) {
        byte[] frame = encode(Frame.DATA, 7, body);
        int keep = cut % frame.length; // strictly shorter than the frame
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.wrappedBuffer(frame, 0, keep));
        assertTrue(sink.frames.isEmpty());
        assertTrue(sink.errors.isEmpty(), () -> "errors: " + sink.errors);
        ch.finishAndReleaseAll();
    }

    @Property(tries = 200)
    void oversizeLengthIsRejectedFromTheLengthFieldAlone(@ForAll @IntRange(min = CAP - 3, max = Integer.MAX_VALUE) int length) {
        // only the four length bytes arrive: the decoder must not wait for (or allocate) the body
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.buffer(4).writeInt(length));
        assertEquals(1, sink.errors.size());
        assertCorruption(sink.errors.get(0));
        ch.finishAndReleaseAll();
    }

    @Property(tries = 100)
    void unsignedLengthsAboveTwoGibAreRejected(@ForAll @IntRange(min = Integer.MIN_VALUE, max = -1) int length) {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.buffer(4).writeInt(length));
        assertEquals(1, sink.errors.size());
        ch.finishAndReleaseAll();
    }

    @Property(tries = 100)
    void wrongVersionIsRejectedAsSoonAsItsByteArrives(@ForAll byte version) {
        if (version == Frame.VERSION) return;
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.buffer(5).writeInt(100).writeByte(version));
        assertEquals(1, sink.errors.size());
        assertTrue(rootMessage(sink.errors.get(0)).contains("version"));
        ch.finishAndReleaseAll();
    }

    @Property(tries = 50)
    void handshakeCapAppliesUntilRaised(@ForAll @IntRange(min = Frame.HANDSHAKE_FRAME_BYTES_MAX, max = CAP) int frameBytes) {
        Sink sink = new Sink();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(), sink);
        ch.writeInbound(Unpooled.buffer(4).writeInt(frameBytes - 3));
        assertEquals(1, sink.errors.size());
        ch.finishAndReleaseAll();
    }

    @Property(tries = 50)
    void afterAnErrorTheStreamIsIgnored(@ForAll @Size(max = 256) byte[] body) {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ch.writeInbound(Unpooled.buffer(5).writeInt(100).writeByte(99));
        ch.writeInbound(Unpooled.wrappedBuffer(encode(Frame.DATA, 1, body)));
        assertEquals(1, sink.errors.size());
        assertTrue(sink.frames.isEmpty());
        assertFalse(sink.errors.isEmpty());
        ch.finishAndReleaseAll();
    }

    private static void assertCorruption(Throwable error) {
        // CorruptedFrameException is a DecoderException, so ByteToMessageDecoder passes it on unwrapped
        assertInstanceOf(CorruptedFrameException.class, error);
    }

    private static String rootMessage(Throwable error) {
        return String.valueOf(error.getMessage());
    }
}
