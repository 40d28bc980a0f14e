package paxos.impl.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.ConfigTracker;
import paxos.impl.core.CoreState;
import paxos.impl.core.GroupCore;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;

/**
 * Rebuilds one group's consensus core and executor from the log store and the state machines'
 * checkpoint positions: at start, and after a checkpoint install (then the positions are the
 * checkpoint's). Input: the store, the group and its state machines; output: a {@link Recovered}
 * that nothing runs yet. Building the group runner around it (threads, transport, registry) is
 * the caller's job, so a simulator can recover over its own store with the same code.
 *
 * <p>Replay starts at the lowest position any state machine of the group ever reported (kept in
 * {@link ExecMeta}, so one not deployed yet still counts), never below the retained log; the
 * master, lease entry and versions in force at that point come from the same metadata.
 *
 * <p><b>Threads.</b> One call at a time per group (the engine's start, or the installing thread
 * of that group); groups may recover concurrently. <b>Failures.</b> Files that do not fit together
 * (see {@link StartupCheck}), or a completed install that cannot be recorded, do not throw: the
 * result names what is wrong in {@link Recovered#inconsistent()} and the caller builds the group
 * failed. A store that fails to read throws its own runtime exception.
 */
final class GroupRecovery {
    /** Records read per step while rebuilding a core. */
    private static final int RECOVERY_READ_MAX = 4096;

    /** The step before reading the store: record an install that completed just before a crash. */
    @FunctionalInterface
    interface CompletedInstalls {
        void record(int group) throws IOException;
    }

    /**
     * A recovered group, not running yet.
     *
     * @param core the consensus core, with the promise and the records from {@code applyFrom} on
     * @param executor the executor, positioned at {@code applyFrom}
     * @param meta the engine's metadata of the group, positions merged with the state machines'
     * @param applyFrom the first instance execution restarts from
     * @param inconsistent why the group's files do not fit together, or {@code null}
     */
    record Recovered(GroupCore core, GroupExecutor executor, ExecMeta meta, long applyFrom, String inconsistent) {}

    private final EngineConfig config;
    private final LogStore store;
    private final CompletedInstalls completedInstalls;
    private final RandomGenerator seeds;

    /**
     * @param seeds draws one seed per recovered core (election jitter); a {@code SecureRandom} in
     *     production, a seeded generator in a simulation. Used under this object's lock.
     */
    GroupRecovery(EngineConfig config, LogStore store, CompletedInstalls completedInstalls, RandomGenerator seeds) {
        this.config = config;
        this.store = store;
        this.completedInstalls = completedInstalls;
        this.seeds = seeds;
    }

    /** Rebuilds group {@code g} for the given state machines (ID to service). */
    Recovered recover(int g, Map<Integer, StateMachine> machines) {
        SplittableRandom random = new SplittableRandom(nextSeed());
        String inconsistent;
        try {
            completedInstalls.record(g);
            inconsistent = StartupCheck.owner(store, g, config.clusterId(), config.nodeId());
        } catch (IOException | RuntimeException e) {
            inconsistent = "cannot record a completed checkpoint install: " + e.getMessage();
        }
        ExecMeta meta = store.meta(g, ExecMeta.KEY).map(ExecMeta::decode).orElseGet(ExecMeta::empty);
        LogRange range = store.range(g);
        if (inconsistent == null) inconsistent = StartupCheck.positions(g, machines, meta, range);
        long applyFrom = meta.replayFrom().orElse(0L);
        for (StateMachine m : machines.values())
            applyFrom = Math.min(applyFrom, m.checkpointInstance(g) + 1);
        for (Map.Entry<Integer, StateMachine> e : machines.entrySet())
            meta.positions().merge(e.getKey(), e.getValue().checkpointInstance(g), Math::min);
        applyFrom = Math.max(applyFrom, range.minRetained());
        List<InstanceRecord> records = new ArrayList<>();
        for (long from = applyFrom; from < range.end(); ) {
            List<InstanceRecord> chunk = store.readRange(g, from, range.end(), RECOVERY_READ_MAX);
            if (chunk.isEmpty()) break;
            records.addAll(chunk);
            from = chunk.get(chunk.size() - 1).instance() + 1;
        }
        CoreState state = new CoreState(store.promisedBallot(g), records, applyFrom);
        // the membership history in the log wins over the configured members (only a bootstrap)
        ConfigTracker tracker = ConfigTracker.bootstrap(bootstrapMembership(), applyFrom);
        try {
            java.util.Optional<byte[]> h = store.meta(g, MembershipChanges.KEY);
            if (h.isPresent()) tracker = ConfigTracker.decode(h.get());
            warnIfConfigDisagrees(g, tracker);
        } catch (IllegalArgumentException e) {
            if (inconsistent == null) inconsistent = "unreadable membership history: " + e.getMessage();
        }
        // this node votes only where a membership names this incarnation of it (a wiped disk votes nowhere)
        tracker.identifiedAs(config.incarnation(), config.joining());
        GroupCore core = new GroupCore(coreConfig(g), state, random, tracker);
        GroupExecutor executor = new GroupExecutor(g, config.nodeId(),
                new ExecutorState(applyFrom, meta.masterBefore(applyFrom),
                        Math.max(meta.masterBefore(applyFrom).version(), meta.leaseEntryBefore(applyFrom)),
                        meta.versionsBefore(applyFrom), meta.requests().tableBefore(applyFrom)),
                config.batchCountMax());
        return new Recovered(core, executor, meta, applyFrom, inconsistent);
    }

    private boolean warned;

    /**
     * The membership a group starts from when its log holds none: the configured members; for a
     * joining node the configured members but itself (they only say where its peers are), so that
     * it votes in nothing until the change that adds it is chosen and executed here. The members
     * it learns the log from must have bootstrapped from the same list (that of the cluster's first
     * start), so that it decides every change of the log as they did.
     */
    private paxos.api.Membership bootstrapMembership() {
        if (!config.joining()) return config.membership();
        return new paxos.api.Membership(0, config.members().stream().filter(m -> m.nodeId() != config.nodeId()).toList());
    }

    /** Reports (once) a configured member list that differs from the membership the log holds: the log wins. */
    private synchronized void warnIfConfigDisagrees(int g, ConfigTracker tracker) {
        paxos.api.Membership logged = tracker.latest();
        if (warned || logged.configVersion() == 0) return;
        // node, address and role (the configured list has no incarnations; the log's is what a peer checks)
        java.util.Set<String> a = new java.util.TreeSet<>(), b = new java.util.TreeSet<>();
        logged.members().forEach(m -> a.add(m.nodeId() + "@" + m.host() + ":" + m.port() + ":" + m.role()));
        config.members().forEach(m -> b.add(m.nodeId() + "@" + m.host() + ":" + m.port() + ":" + m.role()));
        if (a.equals(b)) return;
        warned = true;
        configDisagrees = "configured members " + EngineConfig.describe(config.members()) + " differ from the membership in the log of group "
                + g + " (changed at instance " + logged.configVersion() + "): " + String.join(",", a) + "; the log's is in force"
                + " and the configured list is not obeyed (it only bootstraps a new cluster): change members with"
                + " /paxos/members, and update the node file to match to silence this";
        System.getLogger(GroupRecovery.class.getName()).log(System.Logger.Level.WARNING, configDisagrees);
    }

    /** Why the configured members are not obeyed (they differ from the log's), or {@code null}. */
    volatile String configDisagrees;

    private synchronized long nextSeed() {
        return seeds.nextLong();
    }

    /** The core's settings for group {@code g}, derived from the engine's. */
    CoreConfig coreConfig(int g) {
        return CoreConfig.defaults(g, config.nodeId(), config.membership())
                .withTimeouts(config.heartbeatTicks(), config.electionTicks(), Math.max(2, config.heartbeatTicks() * 2))
                .withBatching(config.windowMax(), config.batchCountMax(), config.batchBytesMax(), 0, config.maxValueBytes())
                .withBounds(config.proposalQueueMax(), Math.max((long) config.batchBytesMax() * 4, 64L << 20),
                        256, Math.min(config.batchBytesMax(), 4 << 20), 256);
    }
}
