package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.NotMasterException;
import paxos.api.NotMemberException;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.StateMachineInfo;
import paxos.api.UnknownStateMachineException;
import paxos.api.ValueTooLargeException;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.api.statemachine.StateMachine;
import paxos.impl.codec.CodecException;
import paxos.impl.codec.MessageCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.CoreState;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.LeaseRules;
import paxos.impl.exec.SystemCommand;

/**
 * A running node: one {@link GroupRunner} per group over a shared {@link LogStore} and
 * {@link Transport}, a clock that ticks every group, and the {@link PaxosNode} API.
 *
 * <p>Lifecycle: construct, {@link #register} the state machines known at start (so their
 * checkpoint positions decide where replay starts), {@link #start()}, use, {@link #close()}.
 * The store and transport are owned by the caller, who closes them after this.
 */
public final class Engine implements PaxosNode, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    /** A system command that executes as a no-op: its execution is a read barrier. */
    private static final byte[] BARRIER = new SystemCommand.Barrier().encode();
    /** The version of a state machine registered without one (embedded nodes, tests). */
    public static final String DEFAULT_VERSION = "0";
    /** Records read per step while rebuilding a core at start. */
    private static final int RECOVERY_READ_MAX = 4096;
    /** Ticks between bookkeeping rounds (positions, master history, retention). */
    private static final int HOUSEKEEPING_TICKS = 100;

    private final EngineConfig config;
    private final LogStore store;
    private final Transport transport;
    private final MessageCodec codec;
    private final ExecutorService loopPool;
    private final ExecutorService execPool;
    private final ExecutorService ioPool;
    private final ScheduledExecutorService clock;
    /** One runner per group; an element is replaced when the group resumes from an installed checkpoint. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<GroupRunner> groups;
    private final int groupCount;
    private final CheckpointService checkpoints;
    /** Which service is registered for which group and ID; the one owner of that state. */
    private final StateMachineRegistry registry = new StateMachineRegistry();
    private final DigestExchange digests;
    private final int digestInterval;
    /**
     * The next request ID of this incarnation, shared by every runner: a runner rebuilt after a
     * checkpoint install continues the sequence, since peers drop a (node, request ID) already seen.
     */
    private final java.util.concurrent.atomic.AtomicLong requestIds = new java.util.concurrent.atomic.AtomicLong();
    private final SecureRandom seeds = new SecureRandom();
    /** Per group, the lease this incarnation holds as master (in memory only: a restart forgets it). */
    private final Map<Integer, HeldLease> leases = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per group, this node's application proposals not yet executed or failed (LEASE reads wait for them). */
    private final Map<Long, CompletableFuture<?>>[] inFlight;
    private final java.util.concurrent.atomic.AtomicLong inFlightSeq = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean started;
    private volatile boolean closed;
    private long ticks;

    /** Builds a node with default checkpoint settings (staging under {@code dataDir/checkpoint}). */
    public Engine(EngineConfig config, LogStore store, Transport transport) {
        this(config, store, transport, CheckpointConfig.defaults(config.dataDir().resolve("checkpoint")));
    }

    /**
     * Builds a node; nothing runs until {@link #start()}. Finishes or rolls back a checkpoint
     * install that a crash interrupted, so call it before opening the state machines' files.
     *
     * @throws IllegalStateException if such an install cannot be recovered (names the path)
     */
    public Engine(EngineConfig config, LogStore store, Transport transport, CheckpointConfig checkpointConfig) {
        this.config = config;
        this.store = store;
        this.transport = transport;
        int entriesMax = Math.max(config.batchCountMax() * 64, 65_536);
        this.codec = new MessageCodec(entriesMax, Math.max(config.batchBytesMax(), config.maxValueBytes()) + 64);
        int cores = Runtime.getRuntime().availableProcessors();
        this.loopPool = Executors.newFixedThreadPool(Math.max(2, cores), daemon("paxos-loop"));
        this.execPool = Executors.newFixedThreadPool(Math.max(2, cores), daemon("paxos-exec"));
        this.ioPool = Executors.newFixedThreadPool(2, daemon("paxos-io"));
        this.clock = Executors.newSingleThreadScheduledExecutor(daemon("paxos-clock"));
        this.groupCount = config.groupCount();
        this.groups = new java.util.concurrent.atomic.AtomicReferenceArray<>(groupCount);
        this.checkpoints = new CheckpointService(new CheckpointHost(), store, checkpointConfig, groupCount, registry);
        this.digests = new DigestExchange(new DigestHost(this), config.members().size());
        this.digestInterval = checkpointConfig.digestInterval();
        for (int g = 0; g < groupCount; g++) {
            try {
                checkpoints.installer().recoverFiles(g);
            } catch (java.io.IOException | RuntimeException e) {
                checkpoints.close();
                throw new IllegalStateException("group " + g + ": cannot recover an interrupted checkpoint install: " + e.getMessage(), e);
            }
        }
        @SuppressWarnings("unchecked")
        Map<Long, CompletableFuture<?>>[] pending = new Map[config.groupCount()];
        for (int g = 0; g < pending.length; g++) pending[g] = new java.util.concurrent.ConcurrentHashMap<>();
        this.inFlight = pending;
    }

    /**
     * Adds a state machine to a group. Before {@link #start()}, its checkpoint position is taken
     * into account for where replay starts; afterwards it joins execution at once (instances it
     * needs wait for it until then; if its checkpoint is behind the group, it first replays the
     * log alone). If another service is in force with that ID in the group, this one is
     * <em>refused</em> (one WARNING; status shows it {@code REFUSED}) until that one goes away.
     *
     * @return the handle to remove exactly this registration with
     */
    public StateMachineRegistry.Registration register(int group, int id, String name, StateMachine machine) {
        return register(List.of(group), id, DEFAULT_VERSION, name, machine).get(0);
    }

    /**
     * {@link #register(int, int, String, StateMachine)} of a given version for several groups at
     * once (one service serving them): a refusal is logged once for all of them. Services with
     * the same ID and different versions are in force side by side; the group's log decides which
     * executes (see {@link #activateVersion}).
     *
     * @param version {@code 1..64} characters of {@code [0-9A-Za-z._+-]}
     */
    public List<StateMachineRegistry.Registration> register(List<Integer> groups, int id, String version, String name,
                                                            StateMachine machine) {
        SystemCommand.ActivateVersion.checkVersion(version);
        List<StateMachineRegistry.Registration> out = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        for (int group : groups) {
            checkGroup(group);
            CheckpointService.Added added;
            synchronized (this) { // against start(): a registration goes either into the initial set or to the runner
                added = checkpoints.register(group, id, version, name, machine);
                if (!registry.inForce(added.registration())) refused.add(group);
                if (added.forward() && started) runner(group).register(added.registration());
            }
            out.add(added.registration());
        }
        if (!refused.isEmpty())
            LOG.log(Level.WARNING, "state machine {0}@{1} ({2}) refused in group(s) {3}: another service with that ID and "
                    + "version is in force there; it takes over only when that one goes away", id, version, name, refused);
        return out;
    }

    /**
     * Removes exactly this registration (never another with the same ID); completes when no call
     * to it is running any more. If it was in force and a refused one waits, that one takes over.
     */
    public CompletionStage<Void> unregister(StateMachineRegistry.Registration registration) {
        StateMachineRegistry.Removal removal;
        synchronized (this) {
            removal = checkpoints.unregister(registration);
            if (!started || !removal.wasInForce()) return CompletableFuture.completedFuture(null);
        }
        GroupRunner r = runner(registration.group());
        CompletableFuture<Void> done = r.unregister(registration);
        if (removal.promoted() != null) {
            LOG.log(Level.INFO, "{0} takes over from the removed {1}", removal.promoted(), registration);
            r.register(removal.promoted()); // queued after the removal on the same execution thread
        }
        return done;
    }

    /** Rebuilds every group from the store and starts the loops, the clock and the transport. */
    public synchronized void start() {
        if (started) throw new IllegalStateException("already started");
        requestIds.set(new SecureRandom().nextLong() & 0x7fff_ffff_0000_0000L); // unique per incarnation
        for (int g = 0; g < groupCount; g++) {
            GroupRunner r = recover(g, checkpoints.machines(g));
            groups.set(g, r);
            registry.registrations(g).forEach(r::register);
        }
        started = true;
        transport.start(this::onMessage);
        clock.scheduleAtFixedRate(this::tick, config.tickMillis(), config.tickMillis(), TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "node {0} started: {1} group(s), members {2}", config.nodeId(), groupCount,
                EngineConfig.describe(config.members()));
    }

    /**
     * Builds group {@code g}'s runner from the store and the state machines' positions: at start,
     * and after installing a checkpoint (then the positions are the checkpoint's). A group whose
     * files do not fit together (see {@link StartupCheck}) is built failed, naming what is wrong.
     */
    private GroupRunner recover(int g, Map<Integer, StateMachine> machines) {
        SplittableRandom random = new SplittableRandom(seeds.nextLong());
        String inconsistent;
        try {
            checkpoints.recordCompletedInstall(g);
            inconsistent = StartupCheck.owner(store, g, config.clusterId(), config.nodeId());
        } catch (java.io.IOException | RuntimeException e) {
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
        GroupCore core = new GroupCore(coreConfig(g), state, random);
        GroupExecutor executor = new GroupExecutor(g, config.nodeId(),
                new ExecutorState(applyFrom, meta.masterBefore(applyFrom),
                        Math.max(meta.masterBefore(applyFrom).version(), meta.leaseEntryBefore(applyFrom)),
                        meta.versionsBefore(applyFrom)),
                config.batchCountMax());
        executor.observer(new paxos.impl.exec.DigestRecorder(g, digestInterval, digests.sink(g)));
        Outbound outbound = m -> transport.send(m.to(), g, codec.encode(m));
        GroupRunner runner = new GroupRunner(g, config.nodeId(), core, executor, store, outbound, loopPool, execPool, ioPool,
                10_000, requestIds, meta, registry, config.proposalTimeoutMillis());
        if (inconsistent != null) runner.fail(inconsistent);
        return runner;
    }

    private CoreConfig coreConfig(int g) {
        int electionTicks = config.electionTicks();
        return CoreConfig.defaults(g, config.nodeId(), config.membership())
                .withTimeouts(config.heartbeatTicks(), electionTicks, Math.max(2, config.heartbeatTicks() * 2))
                .withBatching(config.windowMax(), config.batchCountMax(), config.batchBytesMax(), 0, config.maxValueBytes())
                .withBounds(config.proposalQueueMax(), Math.max((long) config.batchBytesMax() * 4, 64L << 20),
                        256, Math.min(config.batchBytesMax(), 4 << 20), 256);
    }

    private void onMessage(int fromNode, int group, byte[] bytes) {
        if (!started || closed || group < 0 || group >= groupCount) return;
        if (CheckpointWire.isCheckpoint(bytes)) {
            checkpoints.onMessage(fromNode, group, bytes);
            return;
        }
        if (DigestWire.isDigest(bytes)) {
            digests.onMessage(fromNode, group, bytes);
            return;
        }
        Message m;
        try {
            m = codec.decode(bytes);
        } catch (CodecException e) {
            LOG.log(Level.DEBUG, "dropped undecodable message from node {0}: {1}", fromNode, e.getMessage());
            return;
        }
        // the transport authenticated fromNode; a message claiming another sender or group is dropped
        if (m.from() != fromNode || m.group() != group || m.to() != config.nodeId()) return;
        // below the retained log: say so (the requester may need a checkpoint) instead of dropping it
        if (m instanceof Message.CatchUpRequest q && checkpoints.answerCompacted(fromNode, group, q.fromInstance())) return;
        runner(group).receive(m);
    }

    private void tick() {
        if (closed) return;
        boolean housekeeping = ++ticks % HOUSEKEEPING_TICKS == 0;
        for (int g = 0; g < groupCount; g++) {
            GroupRunner r = groups.get(g);
            r.tick();
            if (housekeeping) r.housekeeping(config.holdLogCount());
        }
        if (ticks % 10 == 0) checkpoints.tick();
        if (ticks % 10 == 5) digests.tick(groupCount);
    }

    // ------------------------------------------------------------------ PaxosNode

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    @Override
    public int groupCount() {
        return groupCount;
    }

    @Override
    public int maxValueBytes() {
        return config.maxValueBytes();
    }

    @Override
    public CompletionStage<Proposed> propose(Proposal proposal) {
        return proposeAll(List.of(proposal)).get(0);
    }

    @Override
    public List<CompletionStage<Proposed>> proposeAll(List<Proposal> proposals) {
        if (proposals.isEmpty()) return List.of();
        int group = proposals.get(0).group();
        List<BatchCommand> commands = new ArrayList<>(proposals.size());
        long timeout = 0;
        long bytes = 0;
        for (Proposal p : proposals) {
            if (p.group() != group) throw new IllegalArgumentException("proposeAll needs one group; got " + group + " and " + p.group());
            commands.add(new BatchCommand(p.stateMachineId(), p.masterVersion(), config.nodeId(), 0, p.value()));
            timeout = Math.max(timeout, p.timeoutMillis());
            bytes += p.value().length;
        }
        PaxosExceptionSupplier early = null;
        if (group < 0 || group >= groupCount) early = () -> new NotMemberException("no group " + group + " on node " + config.nodeId());
        else if (!started || closed) early = () -> new GroupUnavailableException("node " + config.nodeId() + " is not running");
        else for (Proposal p : proposals) {
            if (p.value().length > config.maxValueBytes())
                early = () -> new ValueTooLargeException("value of " + p.value().length + " bytes exceeds maxValueBytes "
                        + config.maxValueBytes());
        }
        if (early == null) for (Proposal p : proposals) {
            // a command nobody here can execute would hold the group WAITING on every replica for ever
            if (!registry.has(group, p.stateMachineId()))
                early = () -> new UnknownStateMachineException(group, p.stateMachineId());
        }
        if (early == null) early = noQuorum(group);
        if (early == null && bytes > config.batchBytesMax()) {
            long total = bytes;
            early = () -> new ValueTooLargeException("batch of " + total + " bytes exceeds batchBytesMax " + config.batchBytesMax());
        }
        List<CompletionStage<Proposed>> out = new ArrayList<>(proposals.size());
        if (early != null) {
            for (int i = 0; i < proposals.size(); i++) out.add(CompletableFuture.failedFuture(early.get()));
            return out;
        }
        long timeoutMillis = timeout == 0 ? config.proposalTimeoutMillis() : timeout;
        for (CompletableFuture<ExecOutcome.Completed> f : runner(group).propose(commands, timeoutMillis)) {
            long seq = inFlightSeq.incrementAndGet();
            inFlight[group].put(seq, f);
            f.whenComplete((v, e) -> inFlight[group].remove(seq));
            out.add(map(f, c -> new Proposed(group, c.instance(), c.index(), c.result())));
        }
        return out;
    }

    /** A fast refusal when this node cannot reach a quorum of {@code group} (see {@link QuorumWatch}), or null. */
    private PaxosExceptionSupplier noQuorum(int group) {
        GroupUnavailableException e = QuorumWatch.refusal(group, config.nodeId(), runner(group), config.membership(), this::peers);
        return e == null ? null : () -> e;
    }

    /** True unless this node can tell it reaches no quorum of {@code group} (status pages). */
    public boolean quorumReachable(int group) {
        checkGroup(group);
        return noQuorum(group) == null;
    }

    @FunctionalInterface
    private interface PaxosExceptionSupplier {
        RuntimeException get();
    }

    /**
     * {@inheritDoc}
     *
     * <p>LEASE completes without a round trip on a master whose lease (counted from before it
     * proposed its latest successful claim or renewal, minus {@link LeaseRules}' drift margin) is
     * still running, once this node's proposals made before the read executed (or failed): one of
     * them may already be chosen and read elsewhere. It sees everything chosen before the master's
     * term and every write this master proposed. Writes acknowledged by <em>other</em> nodes during the term reach
     * the master asynchronously, so route writes through the master (or use LINEARIZABLE) when a
     * lease read must see them. LINEARIZABLE proposes a no-op barrier through Paxos.
     */
    @Override
    public CompletionStage<Long> readBarrier(int group, ReadConsistency consistency) {
        checkGroup(group);
        GroupRunner r = runner(group);
        switch (consistency) {
            case STALE:
                return CompletableFuture.completedFuture(r.executed());
            case LEASE:
                if (leaseRemainingNanos(group) <= 0) return CompletableFuture.failedFuture(notMaster(group));
                // A write this node proposed may be chosen, and read elsewhere, before it executed
                // here: wait for the ones proposed before this read, then check the lease again.
                List<CompletableFuture<?>> earlier = new ArrayList<>(inFlight[group].values());
                if (earlier.isEmpty()) return leaseRead(group);
                return CompletableFuture.allOf(earlier.toArray(new CompletableFuture<?>[0]))
                        .handle((v, e) -> null).thenCompose(v -> leaseRead(group));
            default:
                return barrier(group);
        }
    }

    /**
     * A no-op system command chosen through Paxos: once it executed here, everything chosen
     * before the read began has executed here too. Confirmed by a quorum, no clock assumption.
     */
    private CompletionStage<Long> barrier(int group) {
        PaxosExceptionSupplier refused = noQuorum(group);
        if (refused != null) return CompletableFuture.failedFuture(refused.get());
        CompletableFuture<ExecOutcome.Completed> f = runner(group)
                .propose(List.of(new BatchCommand(0, Proposal.NO_MASTER_CONDITION, config.nodeId(), 0, BARRIER)),
                        config.proposalTimeoutMillis()).get(0);
        return map(f, ExecOutcome.Completed::instance);
    }

    private CompletableFuture<Long> leaseRead(int group) {
        long executed = runner(group).executed(); // read first: the lease check after it covers it
        if (leaseRemainingNanos(group) <= 0) return CompletableFuture.failedFuture(notMaster(group));
        return CompletableFuture.completedFuture(executed);
    }

    private NotMasterException notMaster(int group) {
        return new NotMasterException("node " + config.nodeId() + " holds no valid master lease of group " + group);
    }

    /** A lease this incarnation won: its claim or renewal executed here, so did everything before it. */
    private record HeldLease(long version, long startedNanos, long leaseMillis) {}

    /** Nanoseconds of valid master lease this node holds in {@code group}; {@code <= 0}: none. */
    private long leaseRemainingNanos(int group) {
        MasterInfo m = runner(group).master();
        HeldLease held = leases.get(group);
        if (held == null || m.nodeId() != config.nodeId() || m.version() != held.version()) return 0;
        return LeaseRules.masterRemainingNanos(held.startedNanos(), held.leaseMillis(), System.nanoTime());
    }

    /**
     * The master lease of {@code group} as this node sees it, for status pages: on the master, the
     * valid lease it has left; elsewhere, how long until this node would let a takeover claim
     * through ({@code 0}: the lease lapsed, or there is no master). Never negative.
     */
    public long leaseRemainingMillis(int group) {
        checkGroup(group);
        GroupRunner r = runner(group);
        if (r == null) return 0;
        MasterInfo m = r.master();
        if (!m.exists()) return 0;
        long nanos = m.nodeId() == config.nodeId() && leases.containsKey(group) ? leaseRemainingNanos(group)
                : LeaseRules.followerWaitNanos(r.leaseEntryExecutedNanos(), m.leaseMillis(), System.nanoTime());
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    /**
     * The {@link paxos.api.statemachine.ResultEncoder} of the state machine that executes
     * {@code (group, stateMachineId)} here, or {@code null} if it has none or none is registered.
     */
    public paxos.api.statemachine.ResultEncoder resultEncoder(int group, int stateMachineId) {
        StateMachineRegistry.Registration r = registry.inForce(group, stateMachineId);
        return r != null && r.machine() instanceof paxos.api.statemachine.ResultEncoder e ? e : null;
    }

    @Override
    public GroupStatus status(int group) {
        checkGroup(group);
        GroupRunner r = runner(group);
        if (r == null) return new GroupStatus(group, GroupState.STARTING, -1, -1, 0, 0, 0, MasterInfo.NONE, List.of(),
                null, 0, 0, 0, List.of(), Map.of());
        List<StateMachineInfo> machines = new ArrayList<>();
        Map<Integer, StateMachineRegistry.Registration> running = r.registered();
        Map<Integer, String> failed = r.failedMachines();
        Map<Integer, String> versions = r.versionsInForce();
        Map<Integer, Long> positions = r.positions();
        java.util.Set<Integer> ids = new java.util.TreeSet<>(positions.keySet());
        ids.addAll(running.keySet());
        ids.addAll(r.waitingFor());
        for (int id : ids) {
            StateMachineRegistry.Registration reg = running.get(id);
            String name = reg == null ? "" : reg.name();
            StateMachineInfo.State s = reg == null || r.waitingFor().contains(id)
                    ? StateMachineInfo.State.WAITING : StateMachineInfo.State.RUNNING;
            String why = failed.get(id);
            if (why != null || r.failure() != null) s = StateMachineInfo.State.FAILED;
            if (digests.diverged(group, id)) s = StateMachineInfo.State.DIVERGED;
            machines.add(new StateMachineInfo(id, name, versions.get(id), positions.getOrDefault(id, -1L), s, why));
        }
        for (StateMachineRegistry.Registration reg : registry.registrations(group)) {
            if (running.get(reg.id()) != reg)
                machines.add(new StateMachineInfo(reg.id(), reg.name(), reg.version(), -1, StateMachineInfo.State.STANDBY, null));
        }
        registry.refused(group).forEach((id, regs) -> regs.forEach(reg -> machines.add(new StateMachineInfo(id, reg.name(),
                reg.version(), -1, StateMachineInfo.State.REFUSED, "another service with state machine " + id + "@"
                + reg.version() + " is in force here"))));
        GroupState state = checkpoints.catchingUp(group) && r.state() != GroupState.STOPPED ? GroupState.CATCHING_UP : r.state();
        return new GroupStatus(group, state, r.chosenUpTo(), r.executed(), store.range(group).minRetained(),
                r.inFlight(), r.queued(), r.master(), r.waitingFor(), r.failure(), r.leaderId(),
                r.instancesProposed(), r.commandsProposed(), machines, r.peerChosen());
    }

    @Override
    public MasterInfo master(int group) {
        checkGroup(group);
        return runner(group).master();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The engine adds the lease entry it executed last to the claim (see
     * {@link SystemCommand.MasterClaim}), so a claim by the master in force renews it (same
     * version) and a takeover succeeds only if the claimer saw the latest renewal lapse. It also
     * enforces the wait: while another node's lease (or, after a restart, this node's own former
     * lease) may still run as seen here — {@code leaseMillis} plus the drift margin since this node
     * executed the latest master entry, or since it started — the claim is not proposed and the
     * stage completes at once with the master in force (lost).
     */
    @Override
    public CompletionStage<MasterInfo> claimMaster(int group, long expectedVersion, long leaseMillis) {
        checkGroup(group);
        if (expectedVersion < -1) throw new IllegalArgumentException("expectedVersion must be >= -1: " + expectedVersion);
        if (leaseMillis < 1 || leaseMillis > Proposal.MAX_TIMEOUT_MILLIS)
            throw new IllegalArgumentException("leaseMillis must be in 1.." + Proposal.MAX_TIMEOUT_MILLIS + ": " + leaseMillis);
        long before = System.nanoTime(); // the master's lease counts from BEFORE it proposed
        GroupRunner r = runner(group);
        if (r == null) return CompletableFuture.failedFuture(new GroupUnavailableException("node is not running"));
        long entry = r.leaseEntry(); // read before the master: a newer entry only makes the claim stricter
        MasterInfo m = r.master();
        boolean renewal = m.exists() && m.nodeId() == config.nodeId() && leases.containsKey(group);
        if (m.exists() && !renewal && expectedVersion == m.version()
                && LeaseRules.followerWaitNanos(r.leaseEntryExecutedNanos(), m.leaseMillis(), before) > 0)
            return CompletableFuture.completedFuture(m);
        byte[] claim = new SystemCommand.MasterClaim(config.nodeId(), expectedVersion, leaseMillis,
                Math.max(entry, expectedVersion)).encode();
        return map(r.propose(List.of(new BatchCommand(0, Proposal.NO_MASTER_CONDITION, config.nodeId(), 0, claim)),
                config.proposalTimeoutMillis()).get(0), c -> {
                    MasterInfo won = (MasterInfo) c.result();
                    if (won.nodeId() == config.nodeId()) {
                        HeldLease lease = new HeldLease(won.version(), before, leaseMillis);
                        leases.merge(group, lease, (a, b) -> a.version() > b.version()
                                || a.version() == b.version() && a.startedNanos() - b.startedNanos() > 0 ? a : b);
                    }
                    return won;
                });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Refused in a group where this node registers no service of that version (activating a
     * version nobody here can run would only make this node wait).
     */
    @Override
    public Map<Integer, CompletionStage<String>> activateVersion(int stateMachineId, String version) {
        if (stateMachineId < Proposal.MIN_STATE_MACHINE_ID || stateMachineId > Proposal.MAX_STATE_MACHINE_ID)
            throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
        SystemCommand.ActivateVersion.checkVersion(version);
        Map<Integer, CompletionStage<String>> out = new java.util.TreeMap<>();
        for (int g = 0; g < groupCount; g++) {
            if (!registry.has(g, stateMachineId)) continue;
            if (!registry.has(g, stateMachineId, version)) {
                out.put(g, CompletableFuture.failedFuture(new UnknownStateMachineException(g, stateMachineId, version)));
            } else if (!started || closed) {
                out.put(g, CompletableFuture.failedFuture(new GroupUnavailableException("node " + config.nodeId() + " is not running")));
            } else {
                out.put(g, map(runner(g).activate(stateMachineId, version), c -> (String) c.result()));
            }
        }
        if (!out.isEmpty()) LOG.log(Level.INFO, "activating state machine {0} version {1} in group(s) {2}", stateMachineId,
                version, out.keySet());
        return out;
    }

    @Override
    public Membership membership(int group) {
        checkGroup(group);
        return config.membership();
    }

    /**
     * Every peer with its liveness: reachable when the transport heard from it within the election
     * timeout (never less than a few keepalive intervals), whatever the TCP connection says.
     */
    @Override
    public List<PeerInfo> peers() {
        long silenceMax = Math.max((long) config.electionTicks() * config.tickMillis(), 3 * Transport.KEEPALIVE_MILLIS_MAX);
        List<PeerInfo> out = new ArrayList<>();
        for (PeerStatus p : transport.peers()) {
            boolean reachable = p.lastHeardMillisAgo() >= 0 && p.lastHeardMillisAgo() <= silenceMax;
            out.add(new PeerInfo(p.nodeId(), p.address(), p.connected(), p.authenticated(), p.lastError(),
                    p.lastHeardMillisAgo(), reachable, p.lastErrorAtMillis()));
        }
        return out;
    }

    /** The configuration this node runs with. */
    public EngineConfig config() {
        return config;
    }

    /** Stops ticking and the loops; waiting callers fail. The store and transport stay open. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        clock.shutdownNow();
        checkpoints.close();
        for (int g = 0; g < groupCount; g++) {
            GroupRunner r = groups.get(g);
            if (r != null) r.close();
        }
        loopPool.shutdown();
        execPool.shutdown();
        ioPool.shutdown();
        try {
            loopPool.awaitTermination(5, TimeUnit.SECONDS);
            execPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Like {@code thenApply}, but a failure reaches the caller as the engine's own exception
     * (a {@link paxos.api.PaxosException}), not wrapped in a {@code CompletionException}.
     */
    private static <T, R> CompletableFuture<R> map(CompletableFuture<T> source, java.util.function.Function<T, R> fn) {
        CompletableFuture<R> out = new CompletableFuture<>();
        source.whenComplete((v, e) -> {
            if (e == null) {
                out.complete(fn.apply(v));
            } else {
                out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            }
        });
        return out;
    }

    private void checkGroup(int group) {
        if (group < 0 || group >= groupCount)
            throw new IllegalArgumentException("group must be in 0.." + (groupCount - 1) + ": " + group);
    }

    private GroupRunner runner(int group) {
        return groups.get(group);
    }

    // ------------------------------------------------------------------ checkpoints

    /**
     * Lets the engine restart state machines to install checkpoints (the embedded node's factory
     * lifecycle, or the OSGi bundle lifecycle). Without one, a group behind every peer's retained
     * log stays behind and its status says why.
     */
    public void lifecycle(StateMachineLifecycle lifecycle) {
        checkpoints.lifecycle(lifecycle);
    }

    /** Every group's checkpoint transfer in progress and the last one's outcome (status pages). */
    public List<TransferStatus> transfers() {
        return checkpoints.transfers();
    }

    /** Divergence detection: digests compared with peers, divergences, who registered what (status pages). */
    public DigestExchange digests() {
        return digests;
    }

    /** Sends a runtime (non-core) message; false if closed or not queued. */
    boolean sendRuntime(int toNode, int group, byte[] message) {
        return !closed && transport.send(toNode, group, message);
    }

    CheckpointService checkpointService() {
        return checkpoints;
    }

    /** Group runner for {@link DigestHost}; {@code null} before start. */
    GroupRunner runnerOf(int group) {
        return groups.get(group);
    }

    /** Test access to the install steps (crash simulation). */
    CheckpointInstaller checkpointInstaller() {
        return checkpoints.installer();
    }

    private final class CheckpointHost implements CheckpointService.Host {
        @Override
        public GroupRunner runner(int group) {
            return groups.get(group);
        }

        @Override
        public GroupRunner rebuild(int group, Map<Integer, StateMachine> machines) {
            return recover(group, machines);
        }

        @Override
        public void replace(int group, GroupRunner runner) {
            groups.set(group, runner);
        }

        @Override
        public List<Integer> reachablePeers() {
            List<Integer> out = new ArrayList<>();
            for (PeerStatus p : transport.peers()) if (p.connected() && p.authenticated()) out.add(p.nodeId());
            return out;
        }

        @Override
        public boolean send(int toNode, int group, byte[] message) {
            return !closed && transport.send(toNode, group, message);
        }

        @Override
        public int maxMessageBytes() {
            return transport.maxMessageBytes();
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
