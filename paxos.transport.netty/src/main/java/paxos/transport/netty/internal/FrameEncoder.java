package paxos.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.zip.CRC32C;

/** Writes frames in the layout of {@link Frame}. Stateless; any thread. */
public final class FrameEncoder {
    private FrameEncoder() {}

    /**
     * Frames above this many wire bytes are built of pieces of at most this size. Why: a larger
     * buffer is not pooled by Netty's adaptive allocator (its limit is 256 KiB when the heap is
     * below 512 MiB), so every large message cost a fresh direct allocation, zeroed and faulted
     * in page by page (measured: most of a transport thread's time sending 1-2 MiB catch-up
     * replies); pooled pieces are reused.
     */
    static final int PIECE_BYTES = 64 << 10;

    /**
     * One frame in a new buffer from {@code alloc} (a composite of pooled pieces for a large one);
     * the caller owns (writes or releases) it. The body is copied, so the caller may reuse it
     * afterwards.
     */
    public static ByteBuf encode(ByteBufAllocator alloc, byte type, int group, byte[] body) {
        int total = Frame.OVERHEAD_BYTES + body.length;
        int crc = (int) crc(Frame.VERSION, type, group, body);
        if (total <= PIECE_BYTES) return header(alloc.ioBuffer(total), type, group, body.length).writeBytes(body).writeInt(crc);
        int pieces = (total + PIECE_BYTES - 1) / PIECE_BYTES;
        CompositeByteBuf frame = alloc.compositeDirectBuffer(pieces);
        try {
            ByteBuf piece = header(alloc.ioBuffer(PIECE_BYTES), type, group, body.length);
            int at = 0;
            while (at < body.length) {
                if (!piece.isWritable()) {
                    frame.addComponent(true, piece);
                    piece = alloc.ioBuffer(Math.min(PIECE_BYTES, body.length - at + 4));
                }
                int n = Math.min(piece.writableBytes(), body.length - at);
                piece.writeBytes(body, at, n);
                at += n;
            }
            if (piece.writableBytes() < 4) {
                frame.addComponent(true, piece);
                piece = alloc.ioBuffer(4);
            }
            frame.addComponent(true, piece.writeInt(crc));
            return frame;
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    private static ByteBuf header(ByteBuf buf, byte type, int group, int bodyBytes) {
        return buf.writeInt(Frame.FIXED_BYTES + bodyBytes).writeByte(Frame.VERSION).writeByte(type).writeInt(group);
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
