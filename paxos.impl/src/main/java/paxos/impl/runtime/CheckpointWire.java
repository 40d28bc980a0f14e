package paxos.impl.runtime;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import paxos.api.MasterInfo;

/**
 * The runtime's own messages for checkpoint catch-up, sent over the same transport as the core's
 * messages. They start with {@link #MAGIC}, a byte the core's codec never writes first (its
 * version byte is {@code 1}), so the engine tells them apart before decoding.
 *
 * <p>Layout: {@code MAGIC, type (u8), group (i32), transferId (i64)}, then the type's fields;
 * big-endian. Decoding checks every length against the remaining bytes and the limits, and throws
 * {@link IllegalArgumentException} for anything malformed. Stateless.
 */
final class CheckpointWire {
    /** First byte of every checkpoint message. */
    static final byte MAGIC = (byte) 0xC7;
    /** Longest file name and abort reason, in bytes. */
    static final int TEXT_BYTES_MAX = 1024;
    /** Most state machines described in one {@link Begin}. */
    static final int MACHINES_MAX = 1024;

    private static final byte COMPACTED = 1, REQUEST = 2, BEGIN = 3, FILE = 4, CHUNK = 5, FILE_END = 6, ACK = 7,
            DONE = 8, ABORT = 9, REQUESTS = 10;

    private CheckpointWire() {}

    /** A decoded message. */
    sealed interface Msg permits Compacted, Request, Begin, RequestsPart, FileStart, Chunk, FileEnd, Ack, Done, Abort {
        int group();

        long transferId();
    }

    /** "I no longer hold what you asked for": the sender's lowest retained instance. */
    record Compacted(int group, long transferId, long minRetained, long chosenUpTo) implements Msg {}

    /** Receiver to sender: please send a checkpoint of {@code group}; {@code needFrom} is the first instance it misses. */
    record Request(int group, long transferId, long needFrom) implements Msg {}

    /** One state machine's part of a checkpoint. */
    record Part(int stateMachineId, long instance, int files, long bytes) {}

    /**
     * Sender to receiver: what follows, and the master and state machine versions in force just
     * after the lowest part's instance (versions travel as an optional trailer: a sender that
     * predates them sends none).
     */
    record Begin(int group, long transferId, MasterInfo master, List<Part> parts, Map<Integer, String> versions,
                 byte[] membership) implements Msg {
        Begin {
            versions = Map.copyOf(versions);
        }

        Begin(int group, long transferId, MasterInfo master, List<Part> parts, Map<Integer, String> versions) {
            this(group, transferId, master, parts, versions, null);
        }

        Begin(int group, long transferId, MasterInfo master, List<Part> parts) {
            this(group, transferId, master, parts, Map.of());
        }
    }

    /**
     * Sender to receiver, after the {@link Begin}: bytes {@code offset..offset + bytes.length} of
     * the encoded {@link CheckpointRequests} (of {@code total} bytes, at most
     * {@link CheckpointRequests#BYTES_MAX}), in order.
     */
    record RequestsPart(int group, long transferId, int offset, int total, byte[] bytes) implements Msg {}

    /** A file of state machine {@code stateMachineId} starts; {@code size} bytes follow in chunks. */
    record FileStart(int group, long transferId, int stateMachineId, String name, long size) implements Msg {}

    /** Bytes of the current file; {@code seq} counts chunks of the transfer from 0. */
    record Chunk(int group, long transferId, long seq, int crc32c, byte[] bytes) implements Msg {}

    /** The current file ends; {@code crc32c} covers all of it. */
    record FileEnd(int group, long transferId, int crc32c) implements Msg {}

    /** Receiver to sender: chunk {@code seq} is written; the sender may send more (flow control). */
    record Ack(int group, long transferId, long seq) implements Msg {}

    /** The checkpoint is complete. */
    record Done(int group, long transferId, int files, long bytes) implements Msg {}

    /** Either side gives up on the transfer. */
    record Abort(int group, long transferId, String reason) implements Msg {}

    /** True if {@code bytes} is a checkpoint message (and not a core message). */
    static boolean isCheckpoint(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == MAGIC;
    }

    /** Bytes a chunk message adds to its payload. */
    static final int CHUNK_OVERHEAD_BYTES = 1 + 1 + 4 + 8 + 8 + 4 + 4;

    static byte[] encode(Msg m) {
        ByteBuffer b;
        if (m instanceof Compacted c) {
            b = head(COMPACTED, c, 16).putLong(c.minRetained()).putLong(c.chosenUpTo());
        } else if (m instanceof Request r) {
            b = head(REQUEST, r, 8).putLong(r.needFrom());
        } else if (m instanceof Begin g) {
            int versionBytes = 4;
            for (String v : g.versions().values()) versionBytes += 4 + 2 + text(v).length;
            b = head(BEGIN, g, 4 + 8 + 8 + 4 + g.parts().size() * 24 + versionBytes
                    + (g.membership() == null ? 0 : 4 + g.membership().length));
            b.putInt(g.master().nodeId()).putLong(g.master().version()).putLong(g.master().leaseMillis());
            b.putInt(g.parts().size());
            for (Part p : g.parts()) b.putInt(p.stateMachineId()).putLong(p.instance()).putInt(p.files()).putLong(p.bytes());
            b.putInt(g.versions().size());
            for (Map.Entry<Integer, String> v : g.versions().entrySet()) {
                byte[] t = text(v.getValue());
                b.putInt(v.getKey()).putShort((short) t.length).put(t);
            }
            // the membership history (a second optional trailer: a sender that predates it sends none)
            if (g.membership() != null) b.putInt(g.membership().length).put(g.membership());
        } else if (m instanceof RequestsPart r) {
            b = head(REQUESTS, r, 12 + r.bytes().length).putInt(r.offset()).putInt(r.total()).putInt(r.bytes().length)
                    .put(r.bytes());
        } else if (m instanceof FileStart f) {
            byte[] name = text(f.name());
            b = head(FILE, f, 4 + 2 + name.length + 8).putInt(f.stateMachineId()).putShort((short) name.length).put(name)
                    .putLong(f.size());
        } else if (m instanceof Chunk c) {
            b = head(CHUNK, c, 8 + 4 + 4 + c.bytes().length).putLong(c.seq()).putInt(c.crc32c()).putInt(c.bytes().length)
                    .put(c.bytes());
        } else if (m instanceof FileEnd e) {
            b = head(FILE_END, e, 4).putInt(e.crc32c());
        } else if (m instanceof Ack a) {
            b = head(ACK, a, 8).putLong(a.seq());
        } else if (m instanceof Done d) {
            b = head(DONE, d, 12).putInt(d.files()).putLong(d.bytes());
        } else {
            Abort a = (Abort) m;
            byte[] reason = text(a.reason());
            b = head(ABORT, a, 2 + reason.length).putShort((short) reason.length).put(reason);
        }
        return b.array();
    }

    private static ByteBuffer head(byte type, Msg m, int body) {
        return ByteBuffer.allocate(1 + 1 + 4 + 8 + body).put(MAGIC).put(type).putInt(m.group()).putLong(m.transferId());
    }

    private static byte[] text(String s) {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length <= TEXT_BYTES_MAX) return b;
        return java.util.Arrays.copyOf(b, TEXT_BYTES_MAX); // reasons are cut; names are checked by the sender
    }

    /**
     * Decodes a checkpoint message.
     *
     * @param chunkBytesMax the largest chunk payload accepted
     * @throws IllegalArgumentException if malformed or over a limit
     */
    static Msg decode(byte[] bytes, int chunkBytesMax) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != MAGIC) throw new IllegalArgumentException("not a checkpoint message");
            byte type = b.get();
            int group = b.getInt();
            long id = b.getLong();
            Msg m = switch (type) {
                case COMPACTED -> new Compacted(group, id, b.getLong(), b.getLong());
                case REQUEST -> new Request(group, id, b.getLong());
                case BEGIN -> {
                    MasterInfo master = new MasterInfo(b.getInt(), b.getLong(), b.getLong());
                    int n = b.getInt();
                    if (n < 0 || n > MACHINES_MAX) throw new IllegalArgumentException("bad part count " + n);
                    List<Part> parts = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) parts.add(new Part(b.getInt(), b.getLong(), b.getInt(), b.getLong()));
                    Map<Integer, String> versions = new java.util.TreeMap<>();
                    int k = b.hasRemaining() ? b.getInt() : 0;
                    if (k < 0 || k > MACHINES_MAX) throw new IllegalArgumentException("bad version count " + k);
                    for (int i = 0; i < k; i++) versions.put(b.getInt(), readText(b, b.getShort() & 0xffff));
                    byte[] membership = null;
                    if (b.hasRemaining()) {
                        int len = b.getInt();
                        if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("bad membership length " + len);
                        membership = new byte[len];
                        b.get(membership);
                    }
                    yield new Begin(group, id, master, parts, versions, membership);
                }
                case REQUESTS -> {
                    int offset = b.getInt();
                    int total = b.getInt();
                    int len = b.getInt();
                    if (total < 1 || total > CheckpointRequests.BYTES_MAX)
                        throw new IllegalArgumentException("executed-requests table of " + total + " bytes, at most "
                                + CheckpointRequests.BYTES_MAX);
                    if (offset < 0 || len < 0 || len > chunkBytesMax || len > b.remaining() || offset > total - len)
                        throw new IllegalArgumentException("bad executed-requests piece: " + len + " bytes at " + offset + " of " + total);
                    byte[] data = new byte[len];
                    b.get(data);
                    yield new RequestsPart(group, id, offset, total, data);
                }
                case FILE -> {
                    int sm = b.getInt();
                    String name = readText(b, b.getShort() & 0xffff);
                    yield new FileStart(group, id, sm, name, b.getLong());
                }
                case CHUNK -> {
                    long seq = b.getLong();
                    int crc = b.getInt();
                    int len = b.getInt();
                    if (len < 0 || len > chunkBytesMax || len > b.remaining())
                        throw new IllegalArgumentException("bad chunk length " + len);
                    byte[] data = new byte[len];
                    b.get(data);
                    yield new Chunk(group, id, seq, crc, data);
                }
                case FILE_END -> new FileEnd(group, id, b.getInt());
                case ACK -> new Ack(group, id, b.getLong());
                case DONE -> new Done(group, id, b.getInt(), b.getLong());
                case ABORT -> new Abort(group, id, readText(b, b.getShort() & 0xffff));
                default -> throw new IllegalArgumentException("unknown checkpoint message type " + type);
            };
            if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes after checkpoint message");
            return m;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated checkpoint message", e);
        }
    }

    private static String readText(ByteBuffer b, int len) {
        if (len > TEXT_BYTES_MAX || len > b.remaining()) throw new IllegalArgumentException("bad text length " + len);
        byte[] t = new byte[len];
        b.get(t);
        return new String(t, StandardCharsets.UTF_8);
    }
}
