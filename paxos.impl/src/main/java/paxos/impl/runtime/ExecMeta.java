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
 * @param versions version activations by the instance carrying them (in force from the next),
 *     per state machine ID; those a restart can no longer need are folded into one entry
 * @param requests the executed-requests table at the replay start (format 4 on)
 */
record ExecMeta(Map<Integer, Long> positions, TreeMap<Long, MasterInfo> masters, TreeMap<Long, Map<Integer, String>> versions,
                DedupHistory requests) {
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

    /** The version in force per state machine ID just before {@code instance}, as far as the kept history tells. */
    Map<Integer, String> versionsBefore(long instance) {
        Map<Integer, String> out = new TreeMap<>();
        versions.headMap(instance, false).values().forEach(out::putAll); // an activation at i is in force from i + 1
        return out;
    }

    /** Records an executed activation. */
    void addVersion(long instance, int stateMachineId, String version) {
        versions.computeIfAbsent(instance, i -> new TreeMap<>()).put(stateMachineId, version);
    }

    /** Folds the activations a restart can no longer tell apart (below the replay start) into the latest of them. */
    void pruneVersions() {
        replayFrom().ifPresent(from -> {
            java.util.NavigableMap<Long, Map<Integer, String>> old = versions.headMap(from, false);
            if (old.size() < 2) return;
            long last = old.lastKey();
            Map<Integer, String> folded = new TreeMap<>();
            old.values().forEach(folded::putAll);
            old.clear();
            versions.put(last, folded);
        });
    }

    /** Drops entries a restart can no longer need, then the oldest beyond {@value #MASTERS_MAX}. */
    void pruneMasters() {
        replayFrom().map(masters::lowerKey).ifPresent(inForce -> masters.headMap(inForce, false).clear());
        while (masters.size() > MASTERS_MAX) masters.pollFirstEntry();
    }

    byte[] encode() {
        List<Map.Entry<Long, MasterInfo>> recent = new ArrayList<>(masters.entrySet());
        if (recent.size() > MASTERS_MAX) recent = recent.subList(recent.size() - MASTERS_MAX, recent.size());
        int versionBytes = 4;
        for (Map<Integer, String> m : versions.values()) {
            versionBytes += 8 + 4;
            for (String v : m.values()) versionBytes += 4 + 1 + v.length();
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + positions.size() * 12 + 4 + recent.size() * 28 + versionBytes
                + requests.encodedBytes());
        b.put((byte) 4).putInt(positions.size());
        positions.forEach((id, p) -> b.putInt(id).putLong(p));
        b.putInt(recent.size());
        for (Map.Entry<Long, MasterInfo> e : recent)
            b.putLong(e.getKey()).putInt(e.getValue().nodeId()).putLong(e.getValue().leaseMillis())
                    .putLong(e.getValue().version());
        b.putInt(versions.size());
        versions.forEach((instance, m) -> {
            b.putLong(instance).putInt(m.size());
            m.forEach((id, v) -> b.putInt(id).put((byte) v.length()).put(v.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        });
        requests.encode(b);
        return b.array();
    }

    static ExecMeta decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte format = b.get();
        if (format < 1 || format > 4) throw new IllegalArgumentException("unknown exec metadata version " + format);
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
        TreeMap<Long, Map<Integer, String>> versions = new TreeMap<>();
        if (format >= 3) {
            for (int i = b.getInt(); i > 0; i--) {
                long instance = b.getLong();
                Map<Integer, String> m = new TreeMap<>();
                for (int k = b.getInt(); k > 0; k--) {
                    int id = b.getInt();
                    byte[] v = new byte[b.get()];
                    b.get(v);
                    m.put(id, new String(v, java.nio.charset.StandardCharsets.US_ASCII));
                }
                versions.put(instance, m);
            }
        }
        // before format 4 no table was kept: nothing was deduplicated, so an empty one at 0 is what ran
        DedupHistory requests = format >= 4 ? DedupHistory.decode(b) : DedupHistory.empty();
        return new ExecMeta(positions, masters, versions, requests);
    }

    static ExecMeta empty() {
        return new ExecMeta(new java.util.concurrent.ConcurrentSkipListMap<>(), new TreeMap<>(), new TreeMap<>(),
                DedupHistory.empty());
    }
}
