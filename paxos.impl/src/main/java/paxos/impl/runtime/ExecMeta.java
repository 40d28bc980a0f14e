package paxos.impl.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import paxos.api.MasterInfo;

/**
 * The engine's own durable bookkeeping per group, kept as log store metadata (key
 * {@value #KEY}): the last checkpoint position reported by every state machine ever seen in the
 * group (so a restart replays from the lowest, even for one not deployed yet), and the recent
 * master entries, claims and renewals (so the master and lease entry in force at the replay start
 * are known without the older log). Entries older than the one in force at the replay start are
 * pruned: a restart never needs them.
 *
 * @param positions state machine ID to its last reported checkpoint instance
 * @param masters master entries by instance (the lease entry; for a takeover also the version),
 *     most recent {@value #MASTERS_MAX}
 */
record ExecMeta(Map<Integer, Long> positions, TreeMap<Long, MasterInfo> masters) {
    static final String KEY = "exec";
    static final int MASTERS_MAX = 1024;

    /** The first instance execution must restart from: one past the lowest known position. */
    Optional<Long> replayFrom() {
        return positions.values().stream().min(Long::compare).map(p -> p + 1);
    }

    /** The master in force just before {@code instance}, as far as the kept history tells. */
    MasterInfo masterBefore(long instance) {
        Map.Entry<Long, MasterInfo> e = masters.lowerEntry(instance);
        return e == null ? MasterInfo.NONE : e.getValue();
    }

    /** The latest master entry (claim or renewal) before {@code instance}; {@code -1} if none is kept. */
    long leaseEntryBefore(long instance) {
        Long k = masters.lowerKey(instance);
        return k == null ? -1 : k;
    }

    /** Drops entries a restart can no longer need, then the oldest beyond {@value #MASTERS_MAX}. */
    void pruneMasters() {
        replayFrom().map(masters::lowerKey).ifPresent(inForce -> masters.headMap(inForce, false).clear());
        while (masters.size() > MASTERS_MAX) masters.pollFirstEntry();
    }

    byte[] encode() {
        List<Map.Entry<Long, MasterInfo>> recent = new ArrayList<>(masters.entrySet());
        if (recent.size() > MASTERS_MAX) recent = recent.subList(recent.size() - MASTERS_MAX, recent.size());
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + positions.size() * 12 + 4 + recent.size() * 28);
        b.put((byte) 2).putInt(positions.size());
        positions.forEach((id, p) -> b.putInt(id).putLong(p));
        b.putInt(recent.size());
        for (Map.Entry<Long, MasterInfo> e : recent)
            b.putLong(e.getKey()).putInt(e.getValue().nodeId()).putLong(e.getValue().leaseMillis())
                    .putLong(e.getValue().version());
        return b.array();
    }

    static ExecMeta decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte format = b.get();
        if (format != 1 && format != 2) throw new IllegalArgumentException("unknown exec metadata version " + format);
        Map<Integer, Long> positions = new java.util.concurrent.ConcurrentSkipListMap<>();
        for (int i = b.getInt(); i > 0; i--) positions.put(b.getInt(), b.getLong());
        TreeMap<Long, MasterInfo> masters = new TreeMap<>();
        for (int i = b.getInt(); i > 0; i--) {
            long entry = b.getLong();
            int node = b.getInt();
            long lease = b.getLong();
            long version = format == 1 ? entry : b.getLong(); // format 1 kept takeovers only
            masters.put(entry, new MasterInfo(node, version, lease));
        }
        return new ExecMeta(positions, masters);
    }

    static ExecMeta empty() {
        return new ExecMeta(new java.util.concurrent.ConcurrentSkipListMap<>(), new TreeMap<>());
    }
}
