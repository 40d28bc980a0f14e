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
    /** Per group: the lowest instance still held (retention deleted the ones below). Durable. */
    private final Map<Integer, Long> minRetained = new HashMap<>();
    /** Per group: the state machine's durable checkpoint, if any. Durable. */
    private final Map<Integer, SimCheckpoint> checkpoints = new HashMap<>();
    /** Per group: a received checkpoint written aside, not yet installed (the PREPARED marker). Durable. */
    private final Map<Integer, SimCheckpoint> staged = new HashMap<>();
    private long syncs;

    /** A disk whose durable part is kept in memory. */
    SimStore() {
        this(new MemoryDurable());
    }

    SimStore(DurableLog durable) {
        this.durable = durable;
    }

    /** Queues records (visible now, durable at the next sync). */
    /** Durable metadata by "group/key" (the runtime's membership history); survives crashes. */
    private final Map<String, byte[]> meta = new HashMap<>();

    /** The durable metadata value of {@code group} for {@code key}, or {@code null}. */
    byte[] meta(int group, String key) {
        return meta.get(group + "/" + key);
    }

    /** Records a metadata value durably (a checkpoint install's). */
    void putMeta(int group, String key, byte[] value) {
        meta.put(group + "/" + key, value);
    }

    void append(List<LogRecord> records) {
        unsynced.addAll(records);
    }

    /** Makes everything appended so far durable (one fsync covers every group: group commit). */
    void sync() {
        if (unsynced.isEmpty()) return;
        for (LogRecord r : unsynced) {
            if (r instanceof LogRecord.Meta m) meta.put(m.group() + "/" + m.key(), m.value());
        }
        // records below the retained log are dropped: retention deleted their instances already
        unsynced.removeIf(r -> !(r instanceof LogRecord.Promise) && instanceOf(r) < minRetained(r.group()));
        durable.write(List.copyOf(unsynced));
        unsynced.clear();
        syncs++;
    }

    /**
     * Power loss: unsynced records are gone. A staged checkpoint whose install did not commit is
     * rolled back (deleted): the node restarts from its old state.
     */
    void crash() {
        unsynced.clear();
        staged.clear();
        durable.crash();
    }

    /**
     * The whole disk is lost (a replaced drive, a deleted data directory): every record, checkpoint
     * and metadata value is gone, as after a crash. The node comes back with an empty disk.
     */
    void wipe() {
        crash();
        minRetained.clear();
        checkpoints.clear();
        meta.clear();
        durable.wipe();
    }

    /** The lowest instance of {@code group} still held. */
    long minRetained(int group) {
        return minRetained.getOrDefault(group, 0L);
    }

    /**
     * Log retention: deletes the group's records below {@code min} (never lowers the minimum).
     * The caller holds a durable checkpoint at or above {@code min - 1}.
     */
    void retainFrom(int group, long min) {
        if (min <= minRetained(group)) return;
        SimCheckpoint c = checkpoints.get(group);
        if (c == null || c.position() < min - 1)
            throw new IllegalStateException("group " + group + ": deleting below " + min + " without a checkpoint covering it: " + c);
        minRetained.put(group, min);
        durable.retainFrom(group, min);
    }

    /** The group's durable checkpoint, or {@code null} (then the state machine replays from instance 0). */
    SimCheckpoint checkpoint(int group) {
        return checkpoints.get(group);
    }

    /** A node's own state machine checkpoint, durable at once (the state machine's own atomic write). */
    void saveCheckpoint(SimCheckpoint c) {
        SimCheckpoint old = checkpoints.get(c.group());
        if (old != null && old.position() > c.position()) throw new IllegalStateException("checkpoint goes back: " + old + " -> " + c);
        checkpoints.put(c.group(), c);
    }

    /** Install step 1: a received checkpoint is written aside, durably; a crash now rolls it back. */
    void stage(SimCheckpoint c) {
        staged.put(c.group(), c);
    }

    SimCheckpoint staged(int group) {
        return staged.get(group);
    }

    /**
     * Install step 2, atomic (one durable rename in production): the staged checkpoint becomes the
     * group's state and its position, and the log below it is deleted.
     */
    void commitStaged(int group) {
        SimCheckpoint c = staged.remove(group);
        checkpoints.put(group, c);
        if (c.position() + 1 > minRetained(group)) {
            minRetained.put(group, c.position() + 1);
            durable.retainFrom(group, c.position() + 1);
        }
    }

    /**
     * The broken install ({@link Variant#NON_ATOMIC_INSTALL}): the position and master are recorded
     * and the log deleted, but the state machine's state is still the old one until
     * {@link #commitStaged} runs.
     */
    void commitPositionOnly(int group) {
        SimCheckpoint c = staged.get(group);
        SimCheckpoint old = checkpoints.get(group);
        checkpoints.put(group, new SimCheckpoint(group, c.position(), old == null ? 0 : old.digest(), c.master(), c.leaseEntry(), c.versions(),
                c.executedRequests()));
        if (c.position() + 1 > minRetained(group)) {
            minRetained.put(group, c.position() + 1);
            durable.retainFrom(group, c.position() + 1);
        }
    }

    /** The highest durable promise of {@code group}. */
    long promised(int group) {
        return durable.promised(group);
    }

    long syncs() {
        return syncs;
    }

    /** What a restarting node without checkpoints rebuilds its core from: every durable record. */
    CoreState recover(int group) {
        return recover(group, 0);
    }

    /** What a restarting node rebuilds its core from: only durable records, from {@code applyFrom} (its checkpoint + 1). */
    CoreState recover(int group, long applyFrom) {
        return new CoreState(durable.promised(group), durable.records(group, applyFrom, Long.MAX_VALUE, Integer.MAX_VALUE), applyFrom);
    }

    /** Chosen and accepted records of {@code [from, to)}, at most {@code max}, as the page cache shows them. */
    List<InstanceRecord> readRange(int group, long from, long to, int max) {
        if (from < minRetained(group)) return List.of(); // compacted: the production store throws
        Map<Integer, Long> p = new HashMap<>();
        Map<Integer, TreeMap<Long, InstanceRecord>> view = new HashMap<>();
        TreeMap<Long, InstanceRecord> base = new TreeMap<>();
        for (InstanceRecord r : durable.records(group, from, to, Integer.MAX_VALUE)) base.put(r.instance(), r);
        view.put(group, base);
        for (LogRecord r : unsynced) {
            if (r.group() == group && (r instanceof LogRecord.Promise || instanceOf(r) >= from)) apply(p, view, r);
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

    private static long instanceOf(LogRecord r) {
        if (r instanceof LogRecord.Accept a) return a.instance();
        if (r instanceof LogRecord.Chosen c) return c.instance();
        return Long.MAX_VALUE;
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

        /** Deletes the group's records below {@code min}. */
        void retainFrom(int group, long min);

        /** The process died: whatever was not written is gone; durable state stays. */
        void crash();

        /** The disk is lost: nothing durable stays. */
        void wipe();

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
        public void retainFrom(int group, long min) {
            TreeMap<Long, InstanceRecord> map = instances.get(group);
            if (map != null) map.headMap(min).clear();
        }

        @Override
        public void crash() {
            // memory stands for the disk here: nothing durable is lost
        }

        @Override
        public void wipe() {
            promised.clear();
            instances.clear();
        }

        @Override
        public void close() {
        }
    }
}
