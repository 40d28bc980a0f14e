package paxos.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.zip.CRC32C;

/** Writes frames in the layout of {@link Frame}. Stateless; any thread. */
public final class FrameEncoder {
    private FrameEncoder() {}

    /**
     * One frame in a new buffer from {@code alloc}; the caller owns (writes or releases) it.
     * The body is copied, so the caller may reuse it afterwards.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, byte type, int group, byte[] body) {
        ByteBuf buf = alloc.ioBuffer(Frame.OVERHEAD_BYTES + body.length);
        buf.writeInt(Frame.FIXED_BYTES + body.length);
        buf.writeByte(Frame.VERSION);
        buf.writeByte(type);
        buf.writeInt(group);
        buf.writeBytes(body);
        buf.writeInt((int) crc(Frame.VERSION, type, group, body));
        return buf;
    }

    /** CRC32C over the frame's version, type, group and body, as the decoder checks it. */
    static long crc(byte version, byte type, int group, byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(version);
        crc.update(type);
        crc.update(group >>> 24);
        crc.update(group >>> 16);
        crc.update(group >>> 8);
        crc.update(group);
        crc.update(body, 0, body.length);
        return crc.getValue();
    }
}
