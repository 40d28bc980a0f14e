package paxos.impl.runtime;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's digest message: one node tells a peer, for one group, which state machines it has
 * registered (ID, version, state) and their latest digests. Sent over the same transport as the
 * core's messages; it starts with {@link #MAGIC}, a byte neither the core's codec (version byte
 * {@code 1}) nor {@link CheckpointWire} ({@code 0xC7}) writes first.
 *
 * <p>Layout, big-endian: {@code MAGIC, type (u8) = 1, group (i32), machines (u16)}, then per machine
 * {@code id (u16), version (u8 length + UTF-8), state (u8 length + UTF-8), digests (u8)}, then per
 * digest {@code instance (i64), digest (i64)}. Bounded by {@link #MACHINES_MAX},
 * {@link #TEXT_BYTES_MAX} and {@link #DIGESTS_MAX}; decoding throws {@link IllegalArgumentException}
 * for anything malformed or over a bound. Stateless.
 */
final class DigestWire {
    static final byte MAGIC = (byte) 0xD5;
    private static final byte SUMMARY = 1;
    /** Most state machines described in one message. */
    static final int MACHINES_MAX = 64;
    /** Most digests per state machine in one message. */
    static final int DIGESTS_MAX = 4;
    /** Longest version or state text, in bytes. */
    static final int TEXT_BYTES_MAX = 64;

    private DigestWire() {}

    /** One digest: the state machine's state just after {@code instance}. */
    record Digest(long instance, long digest) {}

    /** One registered state machine of the sender. */
    record Machine(int id, String version, String state, List<Digest> digests) {
        Machine {
            if (id < 1 || id > 65535) throw new IllegalArgumentException("state machine ID out of range: " + id);
            if (digests.size() > DIGESTS_MAX) throw new IllegalArgumentException("more than " + DIGESTS_MAX + " digests");
            digests = List.copyOf(digests);
        }
    }

    /** Everything the sender says about one group. */
    record Summary(int group, List<Machine> machines) {
        Summary {
            if (machines.size() > MACHINES_MAX) throw new IllegalArgumentException("more than " + MACHINES_MAX + " machines");
            machines = List.copyOf(machines);
        }
    }

    static boolean isDigest(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == MAGIC;
    }

    static byte[] encode(Summary s) {
        int size = 1 + 1 + 4 + 2;
        for (Machine m : s.machines()) size += 2 + 2 + 2 * TEXT_BYTES_MAX + 1 + m.digests().size() * 16;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).put(SUMMARY).putInt(s.group()).putShort((short) s.machines().size());
        for (Machine m : s.machines()) {
            b.putShort((short) m.id());
            text(b, m.version());
            text(b, m.state());
            b.put((byte) m.digests().size());
            for (Digest d : m.digests()) b.putLong(d.instance()).putLong(d.digest());
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static Summary decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != MAGIC) throw new IllegalArgumentException("not a digest message");
            byte type = b.get();
            if (type != SUMMARY) throw new IllegalArgumentException("unknown digest message type " + type);
            int group = b.getInt();
            int count = Short.toUnsignedInt(b.getShort());
            if (count > MACHINES_MAX) throw new IllegalArgumentException(count + " machines exceed " + MACHINES_MAX);
            List<Machine> machines = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int id = Short.toUnsignedInt(b.getShort());
                String version = text(b);
                String state = text(b);
                int n = Byte.toUnsignedInt(b.get());
                if (n > DIGESTS_MAX) throw new IllegalArgumentException(n + " digests exceed " + DIGESTS_MAX);
                List<Digest> digests = new ArrayList<>(n);
                for (int j = 0; j < n; j++) digests.add(new Digest(b.getLong(), b.getLong()));
                machines.add(new Machine(id, version, state, digests));
            }
            if (b.hasRemaining()) throw new IllegalArgumentException(b.remaining() + " trailing bytes");
            return new Summary(group, machines);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated digest message", e);
        }
    }

    /** Writes at most {@link #TEXT_BYTES_MAX} bytes of {@code s}, cut at a character boundary. */
    private static void text(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        if (n > TEXT_BYTES_MAX) {
            n = TEXT_BYTES_MAX;
            while (n > 0 && (bytes[n] & 0xC0) == 0x80) n--; // never split a UTF-8 sequence
        }
        b.put((byte) n).put(bytes, 0, n);
    }

    private static String text(ByteBuffer b) {
        int n = Byte.toUnsignedInt(b.get());
        if (n > TEXT_BYTES_MAX) throw new IllegalArgumentException("text of " + n + " bytes exceeds " + TEXT_BYTES_MAX);
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
