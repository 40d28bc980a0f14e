package paxos.impl.runtime;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import paxos.impl.exec.RequestDedup;

/**
 * The executed-requests table ({@link RequestDedup}) that travels with a checkpoint: the table
 * just after the checkpoint's instance, exactly, so that a node installing the checkpoint skips
 * a request chosen again later as its peers do (without it, the node would execute it twice and
 * its state would silently depart from theirs). Sent after the {@code Begin} in pieces
 * ({@link CheckpointWire.RequestsPart}) and kept beside the install marker until recorded in the
 * log's metadata.
 *
 * <p>Layout, big-endian: {@code format (u8) = }{@value #FORMAT}{@code , instance (i64), proposers
 * (i32)}, per proposer {@code node (i32), count (i32)}, then {@code count} times
 * {@code requestId (i64), firstInstance (i64)}. Decoding checks the format, the table's bounds
 * ({@link RequestDedup#PROPOSERS_MAX}, {@link RequestDedup#WINDOW}), that no entry is after the
 * table's instance, and every length; it throws {@link IllegalArgumentException} saying what is
 * wrong. Immutable. Public for the simulator, which carries its checkpoints' tables through this
 * codec; not an API.
 *
 * @param instance the checkpoint's instance: the table stands just after it
 * @param entries proposer node to request ID to the instance of its first execution
 */
public record CheckpointRequests(long instance, Map<Integer, NavigableMap<Long, Long>> entries) {
    /** The only format written; a receiver refuses any other. */
    static final byte FORMAT = 1;
    /** The largest encoded table: a full {@link RequestDedup}. */
    static final int BYTES_MAX = 1 + 8 + 4 + RequestDedup.PROPOSERS_MAX * (8 + RequestDedup.WINDOW * 16);

    public CheckpointRequests {
        Map<Integer, NavigableMap<Long, Long>> bounded = new RequestDedup(entries).entries();
        if (count(bounded) != count(entries)) throw new IllegalArgumentException("the executed-requests table exceeds its bounds");
        entries = bounded;
    }

    private static int count(Map<Integer, NavigableMap<Long, Long>> entries) {
        int n = 0;
        for (NavigableMap<Long, Long> ids : entries.values()) n += ids.size();
        return n;
    }

    /** The table {@code entries} (any map form) at {@code instance}. */
    public static CheckpointRequests of(long instance, Map<Integer, ? extends Map<Long, Long>> entries) {
        return new CheckpointRequests(instance, new RequestDedup(entries).entries());
    }

    /** The encoded form (the layout above). */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + entries.size() * 8 + count(entries) * 16);
        b.put(FORMAT).putLong(instance).putInt(entries.size());
        entries.forEach((node, ids) -> {
            b.putInt(node).putInt(ids.size());
            ids.forEach((id, at) -> b.putLong(id).putLong(at));
        });
        return b.array();
    }

    /** @throws IllegalArgumentException if malformed, of another format or over a bound */
    public static CheckpointRequests decode(byte[] bytes) {
        if (bytes.length > BYTES_MAX)
            throw new IllegalArgumentException("executed-requests table of " + bytes.length + " bytes, at most " + BYTES_MAX);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte format = b.get();
            if (format != FORMAT)
                throw new IllegalArgumentException("executed-requests table in format " + format + ", this node reads " + FORMAT);
            long instance = b.getLong();
            int proposers = b.getInt();
            if (proposers < 0 || proposers > RequestDedup.PROPOSERS_MAX)
                throw new IllegalArgumentException("executed-requests table of " + proposers + " proposers, at most "
                        + RequestDedup.PROPOSERS_MAX);
            Map<Integer, NavigableMap<Long, Long>> entries = new TreeMap<>();
            for (int p = 0; p < proposers; p++) {
                int node = b.getInt();
                int count = b.getInt();
                if (count < 0 || count > RequestDedup.WINDOW)
                    throw new IllegalArgumentException("executed-requests table with " + count + " requests of node " + node
                            + ", at most " + RequestDedup.WINDOW);
                if (entries.containsKey(node)) throw new IllegalArgumentException("node " + node + " twice in the executed-requests table");
                NavigableMap<Long, Long> ids = new TreeMap<>();
                for (int k = 0; k < count; k++) {
                    long id = b.getLong();
                    long at = b.getLong();
                    if (at < 0 || at > instance)
                        throw new IllegalArgumentException("request " + id + " of node " + node + " executed at " + at
                                + ", outside the table at instance " + instance);
                    ids.put(id, at);
                }
                entries.put(node, ids);
            }
            if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes after the executed-requests table");
            return new CheckpointRequests(instance, entries);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated executed-requests table", e);
        }
    }
}
