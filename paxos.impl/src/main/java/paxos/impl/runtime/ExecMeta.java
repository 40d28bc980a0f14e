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
 * master changes (so the master in force at the replay start is known without the older log).
 *
 * @param positions state machine ID to its last reported checkpoint instance
 * @param masters master changes by version (the claim's instance), most recent {@value #MASTERS_MAX}
 */
record ExecMeta(Map<Integer, Long> positions, TreeMap<Long, MasterInfo> masters) {
    static final String KEY = "exec";
    static final int MASTERS_MAX = 64;

    /** The first instance execution must restart from: one past the lowest known position. */
    Optional<Long> replayFrom() {
        return positions.values().stream().min(Long::compare).map(p -> p + 1);
    }

    /** The master in force just before {@code instance}, as far as the kept history tells. */
    MasterInfo masterBefore(long instance) {
        Map.Entry<Long, MasterInfo> e = masters.lowerEntry(instance);
        return e == null ? MasterInfo.NONE : e.getValue();
    }

    byte[] encode() {
        List<Map.Entry<Long, MasterInfo>> recent = new ArrayList<>(masters.entrySet());
        if (recent.size() > MASTERS_MAX) recent = recent.subList(recent.size() - MASTERS_MAX, recent.size());
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + positions.size() * 12 + 4 + recent.size() * 20);
        b.put((byte) 1).putInt(positions.size());
        positions.forEach((id, p) -> b.putInt(id).putLong(p));
        b.putInt(recent.size());
        for (Map.Entry<Long, MasterInfo> e : recent)
            b.putLong(e.getKey()).putInt(e.getValue().nodeId()).putLong(e.getValue().leaseMillis());
        return b.array();
    }

    static ExecMeta decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != 1) throw new IllegalArgumentException("unknown exec metadata version");
        Map<Integer, Long> positions = new java.util.concurrent.ConcurrentSkipListMap<>();
        for (int i = b.getInt(); i > 0; i--) positions.put(b.getInt(), b.getLong());
        TreeMap<Long, MasterInfo> masters = new TreeMap<>();
        for (int i = b.getInt(); i > 0; i--) {
            long version = b.getLong();
            masters.put(version, new MasterInfo(b.getInt(), version, b.getLong()));
        }
        return new ExecMeta(positions, masters);
    }

    static ExecMeta empty() {
        return new ExecMeta(new java.util.concurrent.ConcurrentSkipListMap<>(), new TreeMap<>());
    }
}
