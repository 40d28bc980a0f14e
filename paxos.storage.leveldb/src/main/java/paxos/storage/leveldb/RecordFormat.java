package paxos.storage.leveldb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of one record in a segment file (big-endian):
 * <pre>
 *  0  int   payload length
 *  4  int   group
 *  8  long  instance (0 for promise and meta)
 * 16  byte  {@link RecordType} code
 * 17  int   CRC32C of bytes 0..16 and the payload
 * 21  payload
 * </pre>
 * The length and the CRC let recovery tell a torn tail from a whole record.
 */
final class RecordFormat {
    static final int HEADER_BYTES = 21;
    private static final int CRC_OFFSET = 17;

    private RecordFormat() {}

    /** Writes {@code op} at the buffer's position (which must have room) and returns its CRC. */
    static int encode(Op op, ByteBuffer buf) {
        int start = buf.position();
        buf.putInt(op.payloadBytes()).putInt(op.group()).putLong(op.instance()).put(op.type().code).putInt(0);
        switch (op.type()) {
            case PROMISE, CHOSEN_MARK -> buf.putLong(op.ballot());
            case ACCEPT, CHOSEN -> buf.putLong(op.ballot()).put(op.value());
            case META -> buf.put((byte) op.key().length()).put(op.keyBytes()).put(op.value());
            case RETAIN -> { }
        }
        int crc = crc(buf, start, buf.position() - start);
        buf.putInt(start + CRC_OFFSET, crc);
        return crc;
    }

    /** CRC32C of a whole record at {@code start} of {@code length} bytes, skipping the CRC field. */
    static int crc(ByteBuffer buf, int start, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(start).limit(start + CRC_OFFSET));
        crc.update(buf.duplicate().position(start + HEADER_BYTES).limit(start + length));
        return (int) crc.getValue();
    }

    /**
     * CRC32C of an accept or chosen record read in two parts: {@code head} (header and ballot, from
     * index 0) and its value.
     */
    static int crc(ByteBuffer head, byte[] value) {
        CRC32C crc = new CRC32C();
        crc.update(head.duplicate().position(0).limit(CRC_OFFSET));
        crc.update(head.duplicate().position(HEADER_BYTES).limit(HEADER_BYTES + Long.BYTES));
        crc.update(value);
        return (int) crc.getValue();
    }

    static int payloadLength(ByteBuffer header) {
        return header.getInt(0);
    }

    static int storedCrc(ByteBuffer record) {
        return record.getInt(CRC_OFFSET);
    }

    /**
     * Decodes a whole record (header and payload, starting at index 0) that passed its CRC check.
     * Values of accepts and chosen records are copied only when {@code withValue}.
     *
     * @return the op, or {@code null} if the type byte or the payload layout is invalid
     */
    static Op decode(ByteBuffer record, boolean withValue) {
        int length = record.getInt(0);
        int group = record.getInt(4);
        long instance = record.getLong(8);
        RecordType type = RecordType.of(record.get(16));
        if (type == null || group < 0 || instance < 0) return null;
        ByteBuffer p = record.duplicate().position(HEADER_BYTES).limit(HEADER_BYTES + length);
        switch (type) {
            case PROMISE, CHOSEN_MARK -> {
                if (length != 8) return null;
                return new Op(type, group, instance, p.getLong(), null, null);
            }
            case ACCEPT, CHOSEN -> {
                if (length < 8) return null;
                long ballot = p.getLong();
                byte[] value = null;
                if (withValue) {
                    value = new byte[p.remaining()];
                    p.get(value);
                }
                return new Op(type, group, instance, ballot, null, value);
            }
            case META -> {
                if (length < 1) return null;
                int keyLength = p.get() & 0xff;
                if (keyLength < 1 || keyLength > p.remaining()) return null;
                byte[] key = new byte[keyLength];
                p.get(key);
                byte[] value = new byte[p.remaining()];
                p.get(value);
                return new Op(type, group, 0, 0, new String(key, StandardCharsets.US_ASCII), value);
            }
            case RETAIN -> {
                return length == 0 ? new Op(type, group, instance, 0, null, null) : null;
            }
            default -> {
                return null;
            }
        }
    }
}
