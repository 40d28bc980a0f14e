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
 *
 * <p>What is durable lives in a {@link DurableLog}: in memory by default, or a real
 * {@link paxos.api.spi.log.LogStore} on files ({@link LogStoreDurable}) so that the simulator
 * can exercise the production storage too (a simulated crash then closes and reopens it).
 */
final class SimStore implements AutoCloseable {
    private final DurableLog durable;
    private final List<LogRecord> unsynced = new ArrayList<>();
    private long syncs;

    /** A disk whose durable part is kept in memory. */
    SimStore() {
        this(new MemoryDurable());
    }

    SimStore(DurableLog durable) {
        this.durable = durable;
    }

    /** Queues records (visible now, durable at the next sync). */
    void append(List<LogRecord> records) {
        unsynced.addAll(records);
    }

    /** Makes everything appended so far durable (one fsync covers every group: group commit). */
    void sync() {
        if (unsynced.isEmpty()) return;
        durable.write(List.copyOf(unsynced));
        unsynced.clear();
        syncs++;
    }

    /** Power loss: unsynced records are gone. */
    void crash() {
        unsynced.clear();
        durable.crash();
    }

    long syncs() {
        return syncs;
    }

    /** What a restarting node rebuilds its core from: only durable records. */
    CoreState recover(int group) {
        return new CoreState(durable.promised(group), durable.records(group, 0, Long.MAX_VALUE, Integer.MAX_VALUE), 0);
    }

    /** Chosen and accepted records of {@code [from, to)}, at most {@code max}, as the page cache shows them. */
    List<InstanceRecord> readRange(int group, long from, long to, int max) {
        Map<Integer, Long> p = new HashMap<>();
        Map<Integer, TreeMap<Long, InstanceRecord>> view = new HashMap<>();
        TreeMap<Long, InstanceRecord> base = new TreeMap<>();
        for (InstanceRecord r : durable.records(group, from, to, Integer.MAX_VALUE)) base.put(r.instance(), r);
        view.put(group, base);
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

    @Override
    public void close() {
        durable.close();
    }

    static void apply(Map<Integer, Long> promised, Map<Integer, TreeMap<Long, InstanceRecord>> instances, LogRecord r) {
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

    /** The durable part of a simulated disk. Called by the single simulation thread. */
    interface DurableLog extends AutoCloseable {
        /** Makes {@code records} durable, in order, before returning. */
        void write(List<LogRecord> records);

        long promised(int group);

        /** Held records of {@code [from, to)} in instance order, at most {@code max}. */
        List<InstanceRecord> records(int group, long from, long to, int max);

        /** The process died: whatever was not written is gone; durable state stays. */
        void crash();

        @Override
        void close();
    }

    /** Durable records in memory. */
    static final class MemoryDurable implements DurableLog {
        private final Map<Integer, Long> promised = new HashMap<>();
        private final Map<Integer, TreeMap<Long, InstanceRecord>> instances = new HashMap<>();

        @Override
        public void write(List<LogRecord> records) {
            for (LogRecord r : records) apply(promised, instances, r);
        }

        @Override
        public long promised(int group) {
            return promised.getOrDefault(group, 0L);
        }

        @Override
        public List<InstanceRecord> records(int group, long from, long to, int max) {
            List<InstanceRecord> out = new ArrayList<>();
            TreeMap<Long, InstanceRecord> map = instances.get(group);
            if (map == null) return out;
            for (InstanceRecord r : map.subMap(from, to).values()) {
                if (out.size() >= max) break;
                out.add(r);
            }
            return out;
        }

        @Override
        public void crash() {
            // memory stands for the disk here: nothing durable is lost
        }

        @Override
        public void close() {
        }
    }
}
