package paxos.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRecord;
import paxos.impl.core.CoreState;

/**
 * A node's simulated disk: appended records are visible at once (the page cache) but become
 * durable only at {@link #sync()}; {@link #crash()} drops everything not yet synced and keeps
 * what was. Same record semantics as {@link paxos.api.spi.log.LogStore}: the highest promise
 * wins, an accept replaces an earlier accept, a chosen record is final.
 */
final class SimStore {
    private final Map<Integer, Long> promised = new HashMap<>();
    private final Map<Integer, TreeMap<Long, InstanceRecord>> instances = new HashMap<>();
    private final List<LogRecord> unsynced = new ArrayList<>();
    private long syncs;

    /** Queues records (visible now, durable at the next sync). */
    void append(List<LogRecord> records) {
        unsynced.addAll(records);
    }

    /** Makes everything appended so far durable (one fsync covers every group: group commit). */
    void sync() {
        if (unsynced.isEmpty()) return;
        for (LogRecord r : unsynced) apply(promised, instances, r);
        unsynced.clear();
        syncs++;
    }

    /** Power loss: unsynced records are gone. */
    void crash() {
        unsynced.clear();
    }

    long syncs() {
        return syncs;
    }

    /** What a restarting node rebuilds its core from: only durable records. */
    CoreState recover(int group) {
        TreeMap<Long, InstanceRecord> map = instances.getOrDefault(group, new TreeMap<>());
        return new CoreState(promised.getOrDefault(group, 0L), new ArrayList<>(map.values()), 0);
    }

    /** Chosen and accepted records of {@code [from, to)}, at most {@code max}, as the page cache shows them. */
    List<InstanceRecord> readRange(int group, long from, long to, int max) {
        Map<Integer, Long> p = new HashMap<>();
        Map<Integer, TreeMap<Long, InstanceRecord>> view = new HashMap<>();
        TreeMap<Long, InstanceRecord> base = instances.get(group);
        view.put(group, base == null ? new TreeMap<>() : new TreeMap<>(base.subMap(from, to)));
        for (LogRecord r : unsynced) {
            if (r.group() == group) apply(p, view, r);
        }
        List<InstanceRecord> out = new ArrayList<>();
        for (InstanceRecord r : view.get(group).subMap(from, to).values()) {
            if (out.size() >= max) break;
            out.add(r);
        }
        return out;
    }

    private static void apply(Map<Integer, Long> promised, Map<Integer, TreeMap<Long, InstanceRecord>> instances, LogRecord r) {
        if (r instanceof LogRecord.Promise p) {
            promised.merge(p.group(), p.ballot(), Math::max);
        } else if (r instanceof LogRecord.Accept a) {
            TreeMap<Long, InstanceRecord> map = instances.computeIfAbsent(a.group(), g -> new TreeMap<>());
            InstanceRecord old = map.get(a.instance());
            if (old == null || !old.chosen()) map.put(a.instance(), new InstanceRecord(a.group(), a.instance(), a.ballot(), a.value(), false));
        } else if (r instanceof LogRecord.Chosen c) {
            instances.computeIfAbsent(c.group(), g -> new TreeMap<>())
                    .put(c.instance(), new InstanceRecord(c.group(), c.instance(), c.ballot(), c.value(), true));
        }
    }
}
