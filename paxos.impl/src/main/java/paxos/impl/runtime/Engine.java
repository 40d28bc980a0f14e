package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.Transport;
import paxos.api.statemachine.StateMachine;
import paxos.impl.exec.LeaseRules;
import paxos.impl.exec.SystemCommand;

/**
 * A running node: one {@link GroupRunner} per group over a shared {@link LogStore} and
 * {@link Transport}, a clock that ticks every group, and the {@link PaxosNode} API.
 *
 * <p>Lifecycle: construct, {@link #register} the state machines known at start (so their
 * checkpoint positions decide where replay starts), {@link #start()}, use, {@link #close()}.
 * The store and transport are owned by the caller, who closes them after this.
 *
 * <p>The engine is the facade; each job has one owner it delegates to: {@link EngineThreads}
 * (the pools and the clock), {@link GroupRunners} (the runners, built by {@link GroupRecovery},
 * ticked, fed the consensus messages), {@link Proposer} (proposals, read barriers, master claims,
 * version activations; the pending proposals are the runners' {@link PendingProposals}), {@link LeaseTracker} (the leases held
 * here), {@link StatusBuilder} (status snapshots), {@link StateMachineRegistry} (who registered
 * what), {@link CheckpointService} and {@link DigestExchange}. What stays here: argument checks,
 * handing registrations to the runners, start, the transport's inbound dispatch, the tick, close.
 *
 * <p><b>Threads.</b> The API methods from any thread; {@link #register}, {@link #start()} and
 * {@link #close()} are serialised on this object.
 */
public final class Engine implements PaxosNode, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    /** The version of a state machine registered without one (embedded nodes, tests). */
    public static final String DEFAULT_VERSION = "0";

    private final EngineConfig config;
    private final LogStore store;
    private final Transport transport;
    private final EngineThreads threads;
    private final GroupRunners groups;
    /** Rebuilds groups; also remembers whether the configured members disagree with a log's. */
    private final GroupRecovery recovery;
    private final int groupCount;
    private final CheckpointService checkpoints;
    private final CheckpointConfig checkpointConfig;
    /** Which service is registered for which group and ID; the one owner of that state. */
    private final StateMachineRegistry registry = new StateMachineRegistry();
    private final DigestExchange digests;
    private final LeaseTracker leases;
    private final Proposer proposer;
    private final StatusBuilder statusBuilder;
    /** Names the incarnation of a node an operator adds. */
    private final JoinerIncarnation joiners;
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
        this.threads = new EngineThreads();
        this.groupCount = config.groupCount();
        this.checkpointConfig = checkpointConfig;
        this.checkpoints = new CheckpointService(new CheckpointHost(this::runners, transport, () -> closed), store, checkpointConfig, registry);
        this.digests = new DigestExchange(new DigestHost(this));
        for (int g = 0; g < groupCount; g++) {
            try {
                checkpoints.installer().recoverFiles(g);
            } catch (java.io.IOException | RuntimeException e) {
                checkpoints.close();
                throw new IllegalStateException("group " + g + ": cannot recover an interrupted checkpoint install: " + e.getMessage(), e);
            }
        }
        this.recovery = new GroupRecovery(config, store, checkpoints::recordCompletedInstall, new SecureRandom());
        this.groups = new GroupRunners(config, store, transport, threads, registry, digests, checkpointConfig.digestInterval(),
                recovery, checkpoints::answerCompacted);
        this.leases = new LeaseTracker(config.nodeId(), System::nanoTime);
        this.proposer = new Proposer(config, groups::get, registry, leases, () -> started && !closed, this::peers);
        this.joiners = new JoinerIncarnation(transport, threads.clock(), config.nodeId());
        this.statusBuilder = new StatusBuilder(config, store, transport, registry, digests, groups::get, checkpoints::catchingUp);
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
            StateMachineRegistry.Added added;
            synchronized (this) { // against start(): a registration goes either into the initial set or to the runner
                added = registry.admit(group, id, version, name, machine);
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
            removal = registry.withdraw(registration);
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
        groups.startAll();
        started = true;
        transport.start(new paxos.api.spi.transport.MessageHandler() {
            @Override
            public void onMessage(int fromNode, int group, byte[] message) {
                Engine.this.onMessage(fromNode, null, group, message);
            }

            @Override
            public void onMessage(int fromNode, String incarnation, int group, byte[] message) {
                Engine.this.onMessage(fromNode, incarnation, group, message);
            }
        });
        threads.clock().scheduleAtFixedRate(this::tick, config.tickMillis(), config.tickMillis(), TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "node {0} started: {1} group(s), members {2}", config.nodeId(), groupCount,
                EngineConfig.describe(config.members()));
    }

    /** Inbound dispatch; {@code incarnation} is the one the sender presented ({@code null}: none). */
    private void onMessage(int fromNode, String incarnation, int group, byte[] bytes) {
        if (!started || closed || group < 0 || group >= groupCount) return;
        if (CheckpointWire.isCheckpoint(bytes)) {
            checkpoints.onMessage(fromNode, group, bytes);
            return;
        }
        if (DigestWire.isDigest(bytes)) {
            digests.onMessage(fromNode, group, bytes);
            return;
        }
        groups.deliver(fromNode, incarnation, group, bytes, checkpoints::answerCompacted);
    }

    private void tick() {
        if (closed) return;
        groups.tick(++ticks);
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
        return proposer.proposeAll(proposals);
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
     * lease read must see them. LINEARIZABLE is a read-index (a quorum round confirms the
     * leader's leadership, then the read waits until this node executed the leader's commit point;
     * no log write), on the leader and on a follower that knows it (one more message each way), and
     * a no-op barrier proposed through Paxos when no leader is known or it cannot confirm in time.
     */
    /** True unless this node can tell it reaches no quorum of {@code group} (status pages). */
    public boolean quorumReachable(int group) {
        checkGroup(group);
        return proposer.noQuorum(group) == null;
    }

    @Override
    public CompletionStage<Long> readBarrier(int group, ReadConsistency consistency) {
        checkGroup(group);
        return proposer.readBarrier(group, consistency);
    }

    /**
     * The master lease of {@code group} as this node sees it, for status pages: on the master, the
     * valid lease it has left; elsewhere, how long until this node would let a takeover claim
     * through ({@code 0}: the lease lapsed, or there is no master). Never negative.
     */
    public long leaseRemainingMillis(int group) {
        checkGroup(group);
        GroupRunner r = runner(group);
        return r == null ? 0 : leases.remainingMillis(group, r.master(), r.leaseEntryExecutedNanos());
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
        return statusBuilder.status(group);
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
        return proposer.claimMaster(group, expectedVersion, leaseMillis);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Refused in a group where this node registers no service of that version (activating a
     * version nobody here can run would only make this node wait).
     */
    @Override
    public Map<Integer, CompletionStage<String>> activateVersion(int stateMachineId, String version) {
        return proposer.activateVersion(stateMachineId, version);
    }

    /**
     * Why the configured members (the node file's {@code members=}, the transport's list) are not
     * obeyed: they differ from the membership a group's log holds, which is in force (configuration
     * is a bootstrap only). {@code null} if they agree or no log holds a change yet. Found when a
     * group recovers (start, checkpoint install) and logged then as one WARNING per engine.
     */
    public String configuredMembersIgnored() {
        return recovery.configDisagrees;
    }

    @Override
    public Membership membership(int group) {
        checkGroup(group);
        GroupRunner r = runner(group);
        return r == null ? config.membership() : r.membershipInForce();
    }

    /**
     * The group's latest chosen membership: the one in force, or one chosen and not in force yet
     * (from {@link paxos.impl.core.ConfigTracker#ACTIVATION_DELAY} instances after its change). A node
     * that a chosen change removes sees it here at once, while its peers may stop talking to it
     * before it learns the instance from which the change is in force.
     */
    public Membership latestMembership(int group) {
        checkGroup(group);
        GroupRunner r = runner(group);
        return r == null ? config.membership() : r.latestMembership();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Decided in the group's log at instance {@code i} as a compare-and-set on the membership
     * version the change was computed from, in force from {@code i + }{@link paxos.impl.core.ConfigTracker#ACTIVATION_DELAY}
     * (the leader proposes no-ops to get there in an idle group). Refused at once when the result's
     * voters that were voters before are fewer than a quorum of it (add or remove one voter at a time).
     * A node added without an incarnation gets the one it proved to this node's transport
     * ({@link JoinerIncarnation}).
     */
    @Override
    public CompletionStage<Membership> changeMembership(int group, paxos.api.MembershipChange change) {
        checkGroup(group);
        java.util.Objects.requireNonNull(change, "change");
        GroupRunner r = runner(group);
        try {
            if (r == null) throw new paxos.api.GroupUnavailableException("group " + group + " is not running");
            if (!joiners.shouldWait(change, r.membershipInForce()))
                return r.changeMembership(joiners.checkSameId(joiners.named(change), r.membershipInForce(), groups.gate()::pinned));
            // the new node's handshake may still be on its way (see JoinerIncarnation)
            return joiners.await(change).thenCompose(named -> {
                GroupRunner now = runner(group);
                if (now == null) throw new paxos.api.GroupUnavailableException("group " + group + " is not running");
                return now.changeMembership(joiners.checkSameId(named, now.membershipInForce(), groups.gate()::pinned));
            });
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Every peer with its liveness: reachable when the transport heard from it within the election
     * timeout (never less than a few keepalive intervals), whatever the TCP connection says.
     */
    @Override
    public List<PeerInfo> peers() {
        return statusBuilder.peers();
    }

    /** The configuration this node runs with. */
    public EngineConfig config() {
        return config;
    }

    /** The checkpoint catch-up settings this node runs with (status pages show its transfer rate limit). */
    public CheckpointConfig checkpointConfig() {
        return checkpointConfig;
    }

    /** Stops ticking and the loops; waiting callers fail. The store and transport stay open. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        threads.clock().shutdownNow();
        checkpoints.close();
        groups.closeAll();
        threads.close();
    }

    private void checkGroup(int group) {
        if (group < 0 || group >= groupCount)
            throw new IllegalArgumentException("group must be in 0.." + (groupCount - 1) + ": " + group);
    }

    /** For the checkpoint host, built before the runners: read when a checkpoint needs them. */
    private GroupRunners runners() {
        return groups;
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
}
