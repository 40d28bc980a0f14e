package paxos.sim;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;

/**
 * The production {@link LogStore} contract over a node's simulated disk ({@link SimStore}), as
 * the production runtime uses it. {@link #append} completes at the simulated fsync time (one
 * fsync covers everything appended before it: group commit); {@link #appendUnsynced} completes
 * at once and its records become durable only with the next fsync. A crash loses exactly what no
 * fsync covered yet, and the futures of the appends it interrupted never complete (the process
 * that waited for them is gone).
 *
 * <p>Every chosen record appended is reported to the host's oracle (a learned value is chosen,
 * durable or not). Single simulation thread.
 */
final class SimLogStore implements LogStore {
    /** The simulation the disk lives in (one thread). */
    interface Host {
        long now();

        /** A fresh fsync latency, in time units. */
        long fsyncDelay();

        void after(long delay, Runnable action);

        /** A chosen record was appended and the node may act on it (the oracle's hook; see {@link #appendUnsynced}). */
        void chosen(int node, int group, long instance, byte[] value);
    }

    private final Host sim;
    private final SimStore disk;
    private final int node;
    /** Bumped by a crash: fsyncs scheduled before it never complete. */
    private int generation;
    /** When the last scheduled fsync completes: fsyncs complete in order. */
    private long lastSyncAt;
    private int syncsPending;
    /** Records appended unsynced while a sync was pending; the oracle hears their chosen marks at the next sync. */
    private final List<LogRecord> unheard = new java.util.ArrayList<>();
    /**
     * The groups with records appended to be synced that no sync covered yet. Any sync makes
     * everything appended durable (a scheduled fsync, or a checkpoint install's own sync: the
     * runtime rebuilt after an install does not wait for the old one's fsyncs still scheduled).
     */
    private final java.util.Set<Integer> groupsNotDurable = new java.util.HashSet<>();

    SimLogStore(Host sim, SimStore disk, int node) {
        this.sim = sim;
        this.disk = disk;
        this.node = node;
    }

    @Override
    public CompletionStage<Void> append(List<LogRecord> records) {
        disk.append(records);
        CompletableFuture<Void> done = new CompletableFuture<>();
        int gen = generation;
        long at = Math.max(lastSyncAt, sim.now() + sim.fsyncDelay());
        lastSyncAt = at;
        syncsPending++;
        for (LogRecord r : records) groupsNotDurable.add(r.group());
        sim.after(at - sim.now(), () -> {
            if (gen != generation) return;
            syncsPending--;
            sync();
            report(records);
            done.complete(null);
        });
        return done;
    }

    /**
     * The oracle hears of a chosen mark once it rests on durable votes: at once if every record of
     * its group appended to be synced is durable (the value was learned from peers), else at the
     * next sync, which makes the
     * accepts appended before it (its own Ready's) durable too; the group's Readies complete in
     * order, so it acts on the mark no earlier. A crash before that loses the mark unheard:
     * with a single voter, it may rest on an accept that never became durable, so the value was
     * never chosen.
     */
    @Override
    public CompletionStage<Void> appendUnsynced(List<LogRecord> records) {
        disk.append(records);
        for (LogRecord r : records) {
            if (!groupsNotDurable.contains(r.group())) report(List.of(r));
            else unheard.add(r);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Makes everything appended durable now (also a checkpoint install's own sync); the oracle hears the chosen marks. */
    void sync() {
        disk.sync();
        groupsNotDurable.clear();
        List<LogRecord> heard = List.copyOf(unheard);
        unheard.clear();
        report(heard);
    }

    private void report(List<LogRecord> records) {
        for (LogRecord r : records) {
            if (r instanceof LogRecord.Chosen c) sim.chosen(node, c.group(), c.instance(), c.value());
        }
    }

    /** Power loss: the disk drops what is not synced; interrupted fsyncs never complete. */
    void crash() {
        unheard.clear();
        groupsNotDurable.clear();
        generation++;
        syncsPending = 0;
        lastSyncAt = 0;
        disk.crash();
    }

    /** True if some append waits for its fsync. */
    boolean syncPending() {
        return syncsPending > 0;
    }

    @Override
    public List<InstanceRecord> readRange(int group, long from, long to, int maxCount) {
        // the production store throws below the retained log; the runtime then serves nothing
        if (from < disk.minRetained(group)) throw new IllegalStateException("group " + group + ": " + from + " is compacted");
        return disk.readRange(group, from, to, maxCount);
    }

    @Override
    public Optional<InstanceRecord> read(int group, long instance) {
        List<InstanceRecord> r = readRange(group, instance, instance + 1, 1);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    @Override
    public long promisedBallot(int group) {
        return disk.promised(group);
    }

    @Override
    public Optional<byte[]> meta(int group, String key) {
        return Optional.ofNullable(disk.meta(group, key));
    }

    @Override
    public LogRange range(int group) {
        long min = disk.minRetained(group);
        List<InstanceRecord> held = disk.readRange(group, min, Long.MAX_VALUE, Integer.MAX_VALUE);
        return new LogRange(min, held.isEmpty() ? min : held.get(held.size() - 1).instance() + 1);
    }

    @Override
    public void retainFrom(int group, long minInstance) {
        disk.retainFrom(group, minInstance);
    }

    @Override
    public void pauseCleaning() {
    }

    @Override
    public void resumeCleaning() {
    }

    @Override
    public int maxValueBytes() {
        return Integer.MAX_VALUE;
    }

    @Override
    public LogStoreStats stats() {
        return new LogStoreStats(0, disk.syncs(), 0, 0, 0);
    }

    @Override
    public void close() {
        disk.close();
    }
}
