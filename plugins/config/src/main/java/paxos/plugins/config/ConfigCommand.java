package paxos.plugins.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One write to the config store, as proposed through Paxos to state machine
 * {@link #STATE_MACHINE_ID} in group {@link #GROUP}. Encoded with {@link #encode()} and decoded by
 * every replica's state machine with {@link #decode(byte[])}.
 *
 * <p>Wire format (big-endian): {@code op:u8 (0 PUT, 1 DELETE), expectedVersion:i64,
 * pidLength:u8, pid:ASCII}, then for PUT the properties as encoded by
 * {@link ConfigProperties#encode}; nothing for DELETE.
 *
 * @param op what to do
 * @param pid the configuration PID; matches {@link #PID_PATTERN}
 * @param properties canonical properties for PUT (see {@link ConfigProperties}); empty for DELETE
 * @param expectedVersion {@link #ANY_VERSION}, {@link #ABSENT} (the PID must not be stored) or
 *     the version the PID must have for the write to apply (compare-and-set)
 */
public record ConfigCommand(Op op, String pid, SortedMap<String, Object> properties, long expectedVersion) {

    /** The config store's state machine ID. */
    public static final int STATE_MACHINE_ID = 2;
    /** The group that holds the whole store. */
    public static final int GROUP = 0;
    /** The write applies whatever the PID's current version. */
    public static final long ANY_VERSION = -1;
    /** The write applies only if the PID is not stored. */
    public static final long ABSENT = 0;
    /** Most PIDs the store holds; a PUT of a new PID beyond it is refused. */
    public static final int MAX_ENTRIES = 10_000;
    /** Valid PIDs: ASCII letters, digits, {@code . _ -}, 1 to 200 characters. */
    public static final Pattern PID_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /** The operations. */
    public enum Op {
        /** Replaces the PID's properties (creates the PID if absent). */
        PUT,
        /** Removes the PID. */
        DELETE
    }

    /**
     * Validates the fields and makes the properties canonical.
     *
     * @throws IllegalArgumentException with a short reason
     */
    public ConfigCommand {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(properties, "properties");
        if (!isValidPid(pid)) throw new IllegalArgumentException("invalid PID: use 1..200 of [A-Za-z0-9._-]");
        if (op == Op.DELETE && !properties.isEmpty()) throw new IllegalArgumentException("delete carries no properties");
        if (expectedVersion < ANY_VERSION)
            throw new IllegalArgumentException("expected version must be >= 0 or ANY_VERSION");
        properties = ConfigProperties.canonical(properties);
    }

    /** True if {@code pid} matches {@link #PID_PATTERN}. */
    public static boolean isValidPid(String pid) {
        return pid != null && PID_PATTERN.matcher(pid).matches();
    }

    /** A PUT of {@code properties} under {@code pid}. */
    public static ConfigCommand put(String pid, Map<String, ?> properties) {
        return new ConfigCommand(Op.PUT, pid, ConfigProperties.canonical(properties), ANY_VERSION);
    }

    /** A DELETE of {@code pid}. */
    public static ConfigCommand delete(String pid) {
        return new ConfigCommand(Op.DELETE, pid, Collections.emptySortedMap(), ANY_VERSION);
    }

    /** A copy that applies only if the PID's version is {@code version} at execution. */
    public ConfigCommand ifVersion(long version) {
        return new ConfigCommand(op, pid, properties, version);
    }

    /**
     * The bytes to propose.
     *
     * @throws IllegalArgumentException if the properties exceed {@link ConfigProperties#MAX_BYTES}
     */
    public byte[] encode() {
        byte[] p = pid.getBytes(StandardCharsets.US_ASCII);
        byte[] props = op == Op.PUT ? ConfigProperties.encode(properties) : new byte[0];
        return ByteBuffer.allocate(1 + 8 + 1 + p.length + props.length)
                .put((byte) op.ordinal()).putLong(expectedVersion).put((byte) p.length).put(p).put(props)
                .array();
    }

    /**
     * Parses bytes made by {@link #encode()}.
     *
     * @throws IllegalArgumentException if the bytes are not a valid command
     */
    public static ConfigCommand decode(byte[] bytes) {
        if (bytes.length < 11) throw new IllegalArgumentException("config command too short: " + bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int op = b.get();
        if (op < 0 || op >= Op.values().length) throw new IllegalArgumentException("unknown config op " + op);
        long expected = b.getLong();
        int pidLength = Byte.toUnsignedInt(b.get());
        if (pidLength > b.remaining()) throw new IllegalArgumentException("PID length beyond command");
        String pid = new String(bytes, b.position(), pidLength, StandardCharsets.US_ASCII);
        b.position(b.position() + pidLength);
        byte[] rest = Arrays.copyOfRange(bytes, b.position(), bytes.length);
        SortedMap<String, Object> properties;
        if (op == Op.PUT.ordinal()) {
            properties = ConfigProperties.decode(rest);
        } else {
            if (rest.length > 0) throw new IllegalArgumentException("delete carries no properties");
            properties = new TreeMap<>();
        }
        return new ConfigCommand(Op.values()[op], pid, properties, expected);
    }
}
