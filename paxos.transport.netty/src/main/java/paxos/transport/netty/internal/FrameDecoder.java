package paxos.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Cuts the byte stream into {@link Frame}s. Checks, in this order: the length against the
 * current cap (before anything is allocated for the frame, so a peer can make this node buffer at
 * most one capped frame), the version as soon as it arrives, then the type and the CRC once the
 * whole frame is in.
 *
 * <p>On bad input it throws {@link CorruptedFrameException} once (the next handler logs and
 * closes the connection) and discards everything after it: one bad byte poisons the stream,
 * since frame boundaries can no longer be trusted.
 *
 * <p>One instance per channel, used on that channel's event loop only. The cap starts at
 * {@link Frame#HANDSHAKE_FRAME_BYTES_MAX} and is raised by {@link #raiseMaxFrameBytes} once the
 * peer is authenticated.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private int maxFrameBytes = Frame.HANDSHAKE_FRAME_BYTES_MAX;
    private boolean failed;

    /**
     * Cumulates a frame that arrives in several reads as a composite of the reads' buffers
     * instead of copying them into one buffer grown to the frame's size. Why: Netty does not pool
     * a buffer above 256 KiB (heap below 512 MiB), so every large frame cost a fresh direct
     * allocation, zeroed and faulted in, once per doubling (measured: the largest part of the
     * receiving transport thread's time for 1-2 MiB catch-up replies).
     */
    public FrameDecoder() {
        setCumulator(COMPOSITE_CUMULATOR);
    }

    /** The cap for frames after the handshake, wire bytes including the header. */
    public void raiseMaxFrameBytes(int bytes) {
        maxFrameBytes = bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int readable = in.readableBytes();
        if (readable < Frame.LENGTH_FIELD_BYTES) return;
        int start = in.readerIndex();
        long length = in.getUnsignedInt(start);
        if (length < Frame.FIXED_BYTES || length + Frame.LENGTH_FIELD_BYTES > maxFrameBytes) {
            throw fail(in, "frame length " + length + " outside " + Frame.FIXED_BYTES + ".."
                    + (maxFrameBytes - Frame.LENGTH_FIELD_BYTES));
        }
        if (readable > Frame.LENGTH_FIELD_BYTES) {
            byte version = in.getByte(start + Frame.LENGTH_FIELD_BYTES);
            if (version != Frame.VERSION) throw fail(in, "unsupported frame version " + version);
        }
        int frameBytes = Frame.LENGTH_FIELD_BYTES + (int) length;
        if (readable < frameBytes) return;
        int versionAt = start + Frame.LENGTH_FIELD_BYTES;
        int crcAt = start + frameBytes - 4;
        CRC32C crc = new CRC32C();
        // piece by piece: nioBuffer() of a range spanning a composite's parts would copy it into one
        for (ByteBuffer part : in.nioBuffers(versionAt, crcAt - versionAt)) crc.update(part);
        if ((int) crc.getValue() != in.getInt(crcAt)) throw fail(in, "frame CRC mismatch");
        byte type = in.getByte(versionAt + 1);
        if (!Frame.isKnownType(type)) throw fail(in, "unknown frame type " + type);
        int group = in.getInt(versionAt + 2);
        byte[] body = new byte[crcAt - (versionAt + 6)];
        in.getBytes(versionAt + 6, body);
        in.skipBytes(frameBytes);
        out.add(new Frame(type, group, body));
    }

    private CorruptedFrameException fail(ByteBuf in, String why) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new CorruptedFrameException(why);
    }
}
