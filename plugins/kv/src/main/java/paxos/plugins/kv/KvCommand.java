package paxos.plugins.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One write to the KV store, as proposed through Paxos. Encoded with {@link #encode()} and
 * decoded by every replica's state machine with {@link #decode(byte[])}.
 *
 * <p>Wire format (big-endian): {@code op:u8, expectedVersion:i64, keyLength:u16, key:UTF-8,
 * value: the rest}.
 *
 * @param op what to do
 * @param key UTF-8, {@code 1..}{@link #MAX_KEY_BYTES} bytes
 * @param value the new value for {@link Op#PUT} (at most {@link #MAX_VALUE_BYTES}); empty for DELETE
 * @param expectedVersion {@link #ANY_VERSION}, {@link #ABSENT} (the key must not exist) or the
 *     version the key must have for the write to apply (compare-and-set)
 */
public record KvCommand(Op op, String key, byte[] value, long expectedVersion) {

    /** The write applies whatever the key's current version. */
    public static final long ANY_VERSION = -1;
    /** The write applies only if the key does not exist. */
    public static final long ABSENT = 0;
    /** Longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** Largest value, in bytes. */
    public static final int MAX_VALUE_BYTES = 1 << 20;

    /** The operations. */
    public enum Op {
        /** Sets the key's value. */
        PUT,
        /** Removes the key. */
        DELETE
    }

    /** Validates the fields; throws {@link IllegalArgumentException} with a short reason. */
    public KvCommand {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (keyBytes == 0 || keyBytes > MAX_KEY_BYTES)
            throw new IllegalArgumentException("key must be 1.." + MAX_KEY_BYTES + " UTF-8 bytes");
        if (value.length > MAX_VALUE_BYTES)
            throw new IllegalArgumentException("value must be at most " + MAX_VALUE_BYTES + " bytes");
        if (op == Op.DELETE && value.length > 0)
            throw new IllegalArgumentException("delete carries no value");
        if (expectedVersion < ANY_VERSION)
            throw new IllegalArgumentException("expected version must be >= 0 or ANY_VERSION");
    }

    /** A put of {@code value} under {@code key}. */
    public static KvCommand put(String key, byte[] value) {
        return new KvCommand(Op.PUT, key, value, ANY_VERSION);
    }

    /** A delete of {@code key}. */
    public static KvCommand delete(String key) {
        return new KvCommand(Op.DELETE, key, new byte[0], ANY_VERSION);
    }

    /** A copy that applies only if the key's version is {@code version} at execution. */
    public KvCommand ifVersion(long version) {
        return new KvCommand(op, key, value, version);
    }

    /** The bytes to propose. */
    public byte[] encode() {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 2 + k.length + value.length);
        b.put((byte) op.ordinal()).putLong(expectedVersion).putShort((short) k.length).put(k).put(value);
        return b.array();
    }

    /**
     * Parses bytes made by {@link #encode()}.
     *
     * @throws IllegalArgumentException if the bytes are not a valid command
     */
    public static KvCommand decode(byte[] bytes) {
        if (bytes.length < 11) throw new IllegalArgumentException("kv command too short: " + bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int op = b.get();
        if (op < 0 || op >= Op.values().length) throw new IllegalArgumentException("unknown kv op " + op);
        long expected = b.getLong();
        int keyLength = Short.toUnsignedInt(b.getShort());
        if (keyLength > b.remaining()) throw new IllegalArgumentException("kv key length beyond command");
        byte[] k = new byte[keyLength];
        b.get(k);
        byte[] v = new byte[b.remaining()];
        b.get(v);
        return new KvCommand(Op.values()[op], new String(k, StandardCharsets.UTF_8), v, expected);
    }
}
