package paxos.impl.codec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.Message;

/**
 * Encodes {@link Message}s to bytes and back. Every message starts with a codec version byte
 * and a type byte; all integers are big-endian. Decoding validates every count and length
 * against the remaining bytes and the given limits before allocating, so hostile input costs at
 * most the frame it arrived in.
 *
 * <p>Version history: {@code 1} — initial format (types 11 and 12, pre-vote, were added
 * later within version 1: a node without them closes the connection on receipt, so upgrade all
 * nodes of a cluster before relying on pre-vote). A decoder refuses versions it does not know
 * (the transport then closes the connection); a future version 2 decoder would accept 1 too.
 *
 * <p>Stateless and thread-safe.
 */
public final class MessageCodec {
    /** The version this codec writes. */
    public static final byte VERSION = 1;

    private static final byte PREPARE = 1, PROMISE = 2, ACCEPT = 3, ACCEPTED = 4, REJECT = 5, COMMIT = 6,
            HEARTBEAT = 7, CATCH_UP_REQUEST = 8, CATCH_UP_REPLY = 9, FORWARD = 10,
            PRE_VOTE = 11, PRE_VOTE_REPLY = 12, READ_PROBE = 13, READ_PROBE_ACK = 14,
            READ_INDEX_REQUEST = 15, READ_INDEX_REPLY = 16;

    private final int entriesMax;
    private final int valueBytesMax;

    /**
     * @param entriesMax most list elements (entries, units, commands) a decoded message may carry
     * @param valueBytesMax largest single byte array a decoded message may carry
     */
    public MessageCodec(int entriesMax, int valueBytesMax) {
        if (entriesMax < 1) throw new IllegalArgumentException("entriesMax must be >= 1");
        if (valueBytesMax < 1) throw new IllegalArgumentException("valueBytesMax must be >= 1");
        this.entriesMax = entriesMax;
        this.valueBytesMax = valueBytesMax;
    }

    /** The bytes of {@code m}. */
    public byte[] encode(Message m) {
        int exact = encodedBytes(m);
        Writer w = new Writer(exact >= 0 ? exact : SMALL_BYTES);
        w.u8(VERSION);
        if (m instanceof Message.Prepare p) {
            w.u8(PREPARE).head(p.group(), p.from(), p.to());
            w.i64(p.ballot()).i64(p.fromInstance());
        } else if (m instanceof Message.Promise p) {
            w.u8(PROMISE).head(p.group(), p.from(), p.to());
            w.i64(p.ballot()).i64(p.fromInstance()).i64(p.chosenUpTo()).bool(p.more());
            entries(w, p.entries());
        } else if (m instanceof Message.Accept a) {
            w.u8(ACCEPT).head(a.group(), a.from(), a.to());
            w.i64(a.ballot()).i64(a.instance()).i64(a.chosenUpTo()).bytes(a.value());
        } else if (m instanceof Message.Accepted a) {
            w.u8(ACCEPTED).head(a.group(), a.from(), a.to());
            w.i64(a.ballot()).i64(a.instance());
        } else if (m instanceof Message.Reject r) {
            w.u8(REJECT).head(r.group(), r.from(), r.to());
            w.i64(r.ballot()).i64(r.promised());
        } else if (m instanceof Message.Commit c) {
            w.u8(COMMIT).head(c.group(), c.from(), c.to());
            w.i64(c.instance()).i64(c.ballot()).i64(c.chosenUpTo()).bool(c.value() != null);
            if (c.value() != null) w.bytes(c.value());
        } else if (m instanceof Message.PreVote p) {
            w.u8(PRE_VOTE).head(p.group(), p.from(), p.to());
            w.i64(p.ballot());
        } else if (m instanceof Message.PreVoteReply r) {
            w.u8(PRE_VOTE_REPLY).head(r.group(), r.from(), r.to());
            w.i64(r.ballot()).bool(r.granted());
        } else if (m instanceof Message.Heartbeat h) {
            w.u8(HEARTBEAT).head(h.group(), h.from(), h.to());
            w.i64(h.ballot()).i64(h.chosenUpTo());
        } else if (m instanceof Message.ReadProbe r) {
            w.u8(READ_PROBE).head(r.group(), r.from(), r.to());
            w.i64(r.ballot()).i64(r.round());
        } else if (m instanceof Message.ReadProbeAck r) {
            w.u8(READ_PROBE_ACK).head(r.group(), r.from(), r.to());
            w.i64(r.ballot()).i64(r.round());
        } else if (m instanceof Message.ReadIndexRequest r) {
            w.u8(READ_INDEX_REQUEST).head(r.group(), r.from(), r.to());
            w.i64(r.tag());
        } else if (m instanceof Message.ReadIndexReply r) {
            w.u8(READ_INDEX_REPLY).head(r.group(), r.from(), r.to());
            w.i64(r.tag()).i64(r.index());
        } else if (m instanceof Message.CatchUpRequest r) {
            w.u8(CATCH_UP_REQUEST).head(r.group(), r.from(), r.to());
            w.i64(r.fromInstance()).i64(r.toInstance());
        } else if (m instanceof Message.CatchUpReply r) {
            w.u8(CATCH_UP_REPLY).head(r.group(), r.from(), r.to());
            w.i64(r.chosenUpTo());
            entries(w, r.entries());
        } else if (m instanceof Message.Forward f) {
            w.u8(FORWARD).head(f.group(), f.from(), f.to());
            w.u8(f.hops()).i32(f.units().size());
            for (List<BatchCommand> unit : f.units()) {
                w.i32(unit.size());
                for (BatchCommand c : unit) {
                    w.u16(c.stateMachineId()).i64(c.masterVersion()).u16(c.proposerNode()).i64(c.requestId()).bytes(c.value());
                }
            }
        } else {
            throw new IllegalArgumentException("unknown message type " + m.getClass());
        }
        return w.toArray();
    }

    /**
     * Parses bytes made by {@link #encode}.
     *
     * @throws CodecException if the bytes are not one valid message within the limits
     */
    public Message decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            int version = b.get();
            if (version != VERSION) throw new CodecException("unknown codec version " + version);
            int type = b.get();
            int group = b.getInt(), from = u16(b), to = u16(b);
            if (group < 0) throw new CodecException("negative group");
            Message m = switch (type) {
                case PREPARE -> new Message.Prepare(group, from, to, b.getLong(), b.getLong());
                case PROMISE -> {
                    long ballot = b.getLong(), fromInstance = b.getLong(), chosenUpTo = b.getLong();
                    boolean more = bool(b);
                    yield new Message.Promise(group, from, to, ballot, fromInstance, chosenUpTo, entries(b), more);
                }
                case ACCEPT -> {
                    long ballot = b.getLong(), instance = b.getLong(), chosenUpTo = b.getLong();
                    yield new Message.Accept(group, from, to, ballot, instance, bytes(b), chosenUpTo);
                }
                case ACCEPTED -> new Message.Accepted(group, from, to, b.getLong(), b.getLong());
                case REJECT -> new Message.Reject(group, from, to, b.getLong(), b.getLong());
                case COMMIT -> {
                    long instance = b.getLong(), ballot = b.getLong(), chosenUpTo = b.getLong();
                    byte[] value = bool(b) ? bytes(b) : null;
                    yield new Message.Commit(group, from, to, instance, ballot, value, chosenUpTo);
                }
                case PRE_VOTE -> new Message.PreVote(group, from, to, b.getLong());
                case PRE_VOTE_REPLY -> {
                    long ballot = b.getLong();
                    yield new Message.PreVoteReply(group, from, to, ballot, bool(b));
                }
                case HEARTBEAT -> new Message.Heartbeat(group, from, to, b.getLong(), b.getLong());
                case READ_PROBE -> new Message.ReadProbe(group, from, to, b.getLong(), b.getLong());
                case READ_PROBE_ACK -> new Message.ReadProbeAck(group, from, to, b.getLong(), b.getLong());
                case READ_INDEX_REQUEST -> new Message.ReadIndexRequest(group, from, to, b.getLong());
                case READ_INDEX_REPLY -> new Message.ReadIndexReply(group, from, to, b.getLong(), b.getLong());
                case CATCH_UP_REQUEST -> new Message.CatchUpRequest(group, from, to, b.getLong(), b.getLong());
                case CATCH_UP_REPLY -> {
                    long chosenUpTo = b.getLong();
                    yield new Message.CatchUpReply(group, from, to, entries(b), chosenUpTo);
                }
                case FORWARD -> {
                    int hops = Byte.toUnsignedInt(b.get());
                    int units = count(b);
                    List<List<BatchCommand>> list = new ArrayList<>(units);
                    int total = 0;
                    for (int i = 0; i < units; i++) {
                        int n = count(b);
                        total += n;
                        if (total > entriesMax) throw new CodecException("too many forwarded commands");
                        List<BatchCommand> unit = new ArrayList<>(n);
                        for (int j = 0; j < n; j++) {
                            int sm = u16(b);
                            long mv = b.getLong();
                            int proposer = u16(b);
                            long requestId = b.getLong();
                            unit.add(new BatchCommand(sm, mv, proposer, requestId, bytes(b)));
                        }
                        list.add(unit);
                    }
                    yield new Message.Forward(group, from, to, list, hops);
                }
                default -> throw new CodecException("unknown message type " + type);
            };
            if (b.hasRemaining()) throw new CodecException(b.remaining() + " trailing bytes after message");
            return m;
        } catch (BufferUnderflowException e) {
            throw new CodecException("truncated message");
        } catch (IllegalArgumentException e) { // a record's own validation refused a field
            if (e instanceof CodecException c) throw c;
            throw new CodecException("invalid field: " + e.getMessage());
        }
    }

    private void entries(Writer w, List<Message.Entry> entries) {
        w.i32(entries.size());
        for (Message.Entry e : entries) w.i64(e.instance()).i64(e.ballot()).bool(e.chosen()).bytes(e.value());
    }

    private List<Message.Entry> entries(ByteBuffer b) {
        int n = count(b);
        List<Message.Entry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long instance = b.getLong(), ballot = b.getLong();
            boolean chosen = bool(b);
            list.add(new Message.Entry(instance, ballot, bytes(b), chosen));
        }
        return list;
    }

    private int count(ByteBuffer b) {
        int n = b.getInt();
        // every element takes at least one byte, so a count beyond the remaining bytes is a lie
        if (n < 0 || n > entriesMax || n > b.remaining()) throw new CodecException("bad element count " + n);
        return n;
    }

    private byte[] bytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > valueBytesMax || n > b.remaining()) throw new CodecException("bad byte length " + n);
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static boolean bool(ByteBuffer b) {
        byte v = b.get();
        if (v != 0 && v != 1) throw new CodecException("bad boolean " + v);
        return v == 1;
    }

    private static int u16(ByteBuffer b) {
        return Short.toUnsignedInt(b.getShort());
    }

    /** Room for any message without values (the writer grows if one needs more). */
    private static final int SMALL_BYTES = 64;
    /** Version, type, group, from, to. */
    private static final int HEAD_BYTES = 1 + 1 + 4 + 2 + 2;
    /** Instance, ballot, chosen flag and value length of one entry. */
    private static final int ENTRY_BYTES = 8 + 8 + 1 + 4;
    /** State machine, master version, proposer, request ID and value length of one forwarded command. */
    private static final int COMMAND_BYTES = 2 + 8 + 2 + 8 + 4;

    /**
     * The exact encoded size of a message that carries values, {@code -1} for the others. Why: the
     * writer then fills an array of exactly that size and hands it over as it is, instead of
     * copying every value (up to {@code batchBytesMax}) once more into an array of the final size.
     */
    static int encodedBytes(Message m) {
        if (m instanceof Message.Accept a) return HEAD_BYTES + 24 + 4 + a.value().length;
        if (m instanceof Message.Commit c) return HEAD_BYTES + 24 + 1 + (c.value() == null ? 0 : 4 + c.value().length);
        if (m instanceof Message.Promise p) return HEAD_BYTES + 25 + entriesBytes(p.entries());
        if (m instanceof Message.CatchUpReply r) return HEAD_BYTES + 8 + entriesBytes(r.entries());
        if (m instanceof Message.Forward f) {
            long n = HEAD_BYTES + 1 + 4;
            for (List<BatchCommand> unit : f.units()) {
                n += 4;
                for (BatchCommand c : unit) n += COMMAND_BYTES + c.value().length;
            }
            return (int) Math.min(n, Integer.MAX_VALUE);
        }
        return -1;
    }

    private static int entriesBytes(List<Message.Entry> entries) {
        long n = 4;
        for (Message.Entry e : entries) n += ENTRY_BYTES + e.value().length;
        return (int) Math.min(n, Integer.MAX_VALUE - 64);
    }

    /** A growable big-endian writer. */
    private static final class Writer {
        private ByteBuffer buf;

        Writer(int capacity) {
            buf = ByteBuffer.allocate(capacity);
        }

        private void ensure(int n) {
            if (buf.remaining() >= n) return;
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }

        Writer u8(int v) { ensure(1); buf.put((byte) v); return this; }
        Writer bool(boolean v) { return u8(v ? 1 : 0); }
        Writer u16(int v) { ensure(2); buf.putShort((short) v); return this; }
        Writer i32(int v) { ensure(4); buf.putInt(v); return this; }
        Writer i64(long v) { ensure(8); buf.putLong(v); return this; }
        Writer bytes(byte[] v) { i32(v.length); ensure(v.length); buf.put(v); return this; }
        Writer head(int group, int from, int to) { return i32(group).u16(from).u16(to); }

        byte[] toArray() {
            if (buf.position() == buf.capacity()) return buf.array(); // sized exactly: no copy
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
