package paxos.impl.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the list of commands carried by one instance. Format (big endian): version byte
 * {@code 1}, command count (int), then per command: state machine ID (unsigned short), master
 * version (long), proposer node (unsigned short), request ID (long), value length (int), value.
 * An empty list is the no-op value a new leader uses to fill gaps.
 *
 * <p>Decoding validates everything (version, counts, lengths, trailing bytes) and throws
 * {@link IllegalArgumentException} on bad input: a value that fails here was never produced by
 * this codec, so the caller treats the group's log as corrupt.
 */
public final class BatchCodec {
    /** Bytes of the batch header. */
    public static final int HEADER_BYTES = 1 + 4;
    /** Bytes each command adds besides its value. */
    public static final int COMMAND_OVERHEAD_BYTES = 2 + 8 + 2 + 8 + 4;
    private static final byte VERSION = 1;
    private static final byte[] NO_OP = encode(List.of());

    private BatchCodec() {}

    /** The encoded empty batch (a fresh copy). */
    public static byte[] noOp() {
        return NO_OP.clone();
    }

    /** Encoded size of a batch holding {@code commands}. */
    public static int encodedBytes(List<BatchCommand> commands) {
        int bytes = HEADER_BYTES;
        for (BatchCommand c : commands) bytes += c.encodedBytes();
        return bytes;
    }

    /** Encodes the commands in order. */
    public static byte[] encode(List<BatchCommand> commands) {
        ByteBuffer buf = ByteBuffer.allocate(encodedBytes(commands));
        buf.put(VERSION).putInt(commands.size());
        for (BatchCommand c : commands) {
            buf.putShort((short) c.stateMachineId()).putLong(c.masterVersion())
                    .putShort((short) c.proposerNode()).putLong(c.requestId())
                    .putInt(c.value().length).put(c.value());
        }
        return buf.array();
    }

    /**
     * Decodes a batch.
     *
     * @param commandsMax the largest command count accepted (a bound against hostile input)
     * @throws IllegalArgumentException if the bytes are not a valid batch
     */
    public static List<BatchCommand> decode(byte[] bytes, int commandsMax) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte version = buf.get();
            if (version != VERSION) throw new IllegalArgumentException("unknown batch version " + version);
            int count = buf.getInt();
            if (count < 0 || count > commandsMax)
                throw new IllegalArgumentException("batch command count " + count + " outside 0.." + commandsMax);
            if ((long) count * COMMAND_OVERHEAD_BYTES > buf.remaining())
                throw new IllegalArgumentException("batch too short for " + count + " commands");
            List<BatchCommand> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int sm = Short.toUnsignedInt(buf.getShort());
                long masterVersion = buf.getLong();
                int node = Short.toUnsignedInt(buf.getShort());
                long requestId = buf.getLong();
                int length = buf.getInt();
                if (length < 0 || length > buf.remaining())
                    throw new IllegalArgumentException("command " + i + " length " + length + " exceeds the batch");
                byte[] value = new byte[length];
                buf.get(value);
                out.add(new BatchCommand(sm, masterVersion, node, requestId, value));
            }
            if (buf.hasRemaining()) throw new IllegalArgumentException(buf.remaining() + " trailing bytes after batch");
            return out;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated batch", e);
        }
    }
}
