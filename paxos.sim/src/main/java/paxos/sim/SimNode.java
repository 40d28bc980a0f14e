package paxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.MasterChangedException;
import paxos.api.NotMemberException;
import paxos.api.OverloadedException;
import paxos.api.ProposalTimeoutException;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ConfigTracker;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.exec.DigestRecorder;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.SystemCommand;
import paxos.impl.runtime.CheckpointRequests;
import paxos.impl.runtime.CheckpointTrigger;
import paxos.impl.runtime.GroupRuntime;
import paxos.impl.runtime.IncarnationGate;
import paxos.impl.runtime.RequestIds;
import paxos.impl.runtime.RuntimeClock;

/**
 * One simulated node: the <b>production</b> group runtime ({@link GroupRuntime}, i.e. the engine's
 * {@code GroupRunner}: Ready cycle, durability rule, execution, waiting callers, registrations and
 * version activation) per group, fed by deterministic executors and a clock that queue their
 * tasks on the simulation's event queue, over a simulated disk ({@link SimLogStore}) and network.
 *
 * <p>What this class still does itself is simulation: fault injection (crash, install crash
 * points), the disk model, the oracle hooks, the simulated application ({@link Recorder}) and
 * the checkpoint transfer (a catch-up request this node cannot serve is answered
 * {@link ShellMessage.Compacted}; both that and when to ask whom for a checkpoint are decided by
 * the production {@link CheckpointTrigger}, as in the engine; the checkpoint is staged, committed
 * atomically and the group's runtime rebuilt after it).
 */
final class SimNode {
    /** The state machine ID the simulated clients use. */
    static final int STATE_MACHINE_ID = 1;
    /** The state machine versions a node may have installed; every node starts with the first. */
    static final List<String> VERSIONS = List.of("v1", "v2", "v3");
    /** Simulated time: one unit is a millisecond of the runtime's clock. */
    static final long NANOS_PER_UNIT = 1_000_000L;

    final int id;
    final SimStore store;
    final SimLogStore log;
    private final Simulation sim;
    private final Membership membership;
    boolean up;
    private int incarnation;
    private GroupCore[] cores;
    private GroupExecutor[] executors;
    private GroupRuntime[] runtimes;
    /** Per group, the clients waiting for their command, by their token (deterministic order). */
    private final List<TreeMap<Long, Client>> waiting = new ArrayList<>();
    private long requestCounter;
    /** Per group: bumped when the group is rebuilt after an install; the old runtime's queued tasks check it. */
    private int[] epoch;
    private Recorder[] recorders;
    /** Per group, the version in force this node last found missing (counts each hold once). */
    private String[] heldFor;
    /** Versions installed on this node (all groups); installing survives crashes, like a deployed bundle. */
    private final java.util.Set<String> installed = new java.util.TreeSet<>(List.of(VERSIONS.get(0)));
    /** Instances between the digests compared by the production comparison (see {@link Oracle#digestTaken}). */
    static final int DIGEST_INTERVAL = 8;
    private CheckpointTrigger[] triggers;
    private boolean[] installing;
    /**
     * This start's request IDs, as the engine's: a boot counter kept on this node's disk (a wiped
     * disk starts it at 1 again), groups closed to them until this node executed their history of
     * its node ID when the disk has not checked them yet (see {@link RequestIds}).
     */
    private RequestIds requestIds;
    private final RuntimeClock clock;
    /** Disks this node had (a wipe gives it a new one), and the incarnation of the current one. */
    private int disks;
    private String diskIncarnation;
    /** The disk was wiped: the node came back through the join path and waits to be replaced by itself. */
    boolean joining;
    /** The production gate on peers' votes; in memory, so a restart forgets its pins. */
    private IncarnationGate gate;

    SimNode(Simulation sim, int id, Membership membership) {
        this.sim = sim;
        this.id = id;
        this.membership = membership;
        this.store = sim.diskRoot == null ? new SimStore()
                : new SimStore(new LogStoreDurable(sim.diskRoot.resolve("node-" + id)));
        this.log = new SimLogStore(sim.disks, store, id);
        for (int g = 0; g < sim.params.groups(); g++) waiting.add(new TreeMap<>());
        this.diskIncarnation = incarnationOf(id, 0);
        this.clock = new RuntimeClock() {
            @Override
            public long nanoTime() {
                return sim.now() * NANOS_PER_UNIT;
            }

            @Override
            public void schedule(long delayNanos, Runnable task) {
                int inc = incarnation;
                sim.after(Math.max(0, (delayNanos + NANOS_PER_UNIT - 1) / NANOS_PER_UNIT), () -> {
                    if (inc == incarnation && up) task.run();
                });
            }
        };
    }

    /**
     * Starts (or restarts) from what the disk holds durably; state machines resume from their
     * durable checkpoint, or replay from instance 0 if they have none.
     */
    void start() {
        gate = sim.variant.incarnationGate ? IncarnationGate.create() : IncarnationGate.disabled();
        incarnation++;
        up = true;
        int groups = sim.params.groups();
        requestIds = RequestIds.start(new DiskIds(store), groups);
        cores = new GroupCore[groups];
        executors = new GroupExecutor[groups];
        runtimes = new GroupRuntime[groups];
        epoch = new int[groups];
        recorders = new Recorder[groups];
        heldFor = new String[groups];
        triggers = new CheckpointTrigger[groups];
        installing = new boolean[groups];
        for (int g = 0; g < groups; g++) build(g);
    }

    /** Builds a group's core, executor and production runtime from the durable log and checkpoint. */
    private void build(int g) {
        CoreConfig cfg = CoreConfig.defaults(g, id, membership).withTimeouts(sim.params.heartbeatTicks(), sim.params.electionTimeoutTicks(), sim.params.heartbeatTicks() + 2)
                .withBatching(sim.params.windowMax(), sim.params.batchCountMax(), 64 << 10, sim.params.batchDelayTicks(), 1024)
                .withBounds(1000, 1 << 20, sim.params.replyEntriesMax(), 64 << 10, sim.params.replyEntriesMax() * 4)
                .withQuorumRule(sim.variant.quorumRule).withPreVote(sim.variant.preVote);
        SimCheckpoint c = store.checkpoint(g);
        if (c == null) {
            cores[g] = new GroupCore(cfg, store.recover(g, 0), sim.forkRandom(), tracker(g, 0));
            executors[g] = new GroupExecutor(g, id, ExecutorState.INITIAL, 10_000, sim.variant.deduplicate);
            recorders[g] = new Recorder(sim, id, g, executors[g], -1, 0);
        } else {
            long resume = c.position() + sim.variant.resumeOffset;
            cores[g] = new GroupCore(cfg, store.recover(g, resume), sim.forkRandom(), tracker(g, resume));
            executors[g] = new GroupExecutor(g, id, new ExecutorState(resume, c.master(), c.leaseEntry(), c.versions(),
                    c.executedRequests()), 10_000, sim.variant.deduplicate);
            recorders[g] = new Recorder(sim, id, g, executors[g], resume - 1, c.digest());
            sim.oracle.installed(id, c);
        }
        int group = g;
        executors[g].observer(new DigestRecorder(g, DIGEST_INTERVAL,
                (sm, instance, digest) -> sim.oracle.digestTaken(id, group, instance, digest)));
        triggers[g] = new CheckpointTrigger(CHECKPOINT_TIMING);
        installing[g] = false;
        runtimes[g] = GroupRuntime.create(g, id, cores[g], executors[g], log, sim.network::send,
                deterministic(g, false), deterministic(g, true), deterministic(g, false), requestIds,
                PROPOSAL_TIMEOUT_MILLIS, clock, sim.variant.durability, sim.variant.early);
        for (String v : installed) registerVersion(g, v);
    }

    /**
     * An executor whose tasks run as events of the simulation (same seed, same order), dropped
     * if the node crashed or the group was rebuilt meanwhile (that runtime is gone). After an
     * execution task, the oracles look at the executor's state.
     */
    private java.util.concurrent.Executor deterministic(int g, boolean execution) {
        int inc = incarnation;
        int ep = epoch[g];
        return task -> sim.after(0, () -> {
            if (inc != incarnation || !up || ep != epoch[g]) return;
            task.run();
            if (execution) checkExecution(g);
        });
    }

    /** How long the runtime's own proposals (first activations) and the clients' wait; the client gives up first. */
    private static final long PROPOSAL_TIMEOUT_MILLIS = (SimParams.CLIENT_TIMEOUT_TICKS + 10L) * SimParams.TICK_UNITS;

    // ---------------------------------------------------------------- versions

    /** This node installs another version of the state machine (a bundle deployed side by side). */
    void install(String version) {
        if (!installed.add(version) || !up) return;
        for (int g = 0; g < runtimes.length; g++) registerVersion(g, version);
    }

    /**
     * Registers one installed version with the production runtime, which decides which one
     * executes (the version in force in the log; before any activation, the oldest, which it
     * proposes to activate). {@link Variant#VERSIONS_IGNORED}: every registration is really the
     * first version, whatever it declares (a plugin that ignores versions).
     */
    private void registerVersion(int g, String version) {
        String really = sim.variant.versionsIgnored ? VERSIONS.get(0) : version;
        runtimes[g].register(STATE_MACHINE_ID, version, "sim " + version, new Recorder.Versioned(recorders[g], really));
    }

    /** After execution ran: the oracles look at what the executor decided. */
    private void checkExecution(int g) {
        GroupExecutor e = executors[g];
        sim.oracle.master(id, g, e.executedInstance(), e.master());
        if (e.failure() != null) sim.oracle.violation("node " + id + " group " + g + " failed: " + e.failure());
        if (runtimes[g].failure() != null) sim.oracle.violation("node " + id + " group " + g + " stopped: " + runtimes[g].failure());
        String inForce = e.versionsInForce().get(STATE_MACHINE_ID);
        if (inForce != null && !installed.contains(inForce) && !inForce.equals(heldFor[g])) {
            sim.versionHolds++; // this replica lacks the version in force: it holds the group at the switch
            heldFor[g] = inForce;
        }
    }

    // ---------------------------------------------------------------- retention and checkpoints

    /**
     * Log retention: per group, checkpoints the state machine at its executed position E (durable
     * at once, as a state machine writes its position with its effects) and deletes the log below
     * {@code E - retention}.
     */
    void compact() {
        if (!up) return;
        for (int g = 0; g < cores.length; g++) {
            long executed = executors[g].executedInstance();
            long min = executed - sim.params.retention();
            if (min <= store.minRetained(g) || recorders[g].position != executed) continue;
            store.saveCheckpoint(recorders[g].checkpoint());
            store.retainFrom(g, min);
            sim.compactions++;
        }
    }

    void receive(ShellMessage m) {
        if (!up) return;
        if (m instanceof ShellMessage.Compacted c) onCompacted(c);
        else if (m instanceof ShellMessage.CheckpointRequest r) {
            // the checkpoint is the state machine's state now, at its executed position
            if (executors[r.group()].executedInstance() >= r.need() && recorders[r.group()].position == executors[r.group()].executedInstance())
                sim.network.send(new ShellMessage.CheckpointData(id, r.from(), sent(recorders[r.group()].checkpoint()),
                        runtimes[r.group()].membershipHistory()));
        } else if (m instanceof ShellMessage.CheckpointData d) onCheckpoint(d.checkpoint(), d.membership());
    }

    /**
     * The checkpoint as a peer receives it: its executed-requests table through the production
     * wire codec ({@link CheckpointRequests}, which checks its bounds; a table it refuses fails the
     * run).
     */
    private SimCheckpoint sent(SimCheckpoint c) {
        var table = CheckpointRequests.decode(CheckpointRequests.of(c.position(), c.executedRequests()).encode()).entries();
        return new SimCheckpoint(c.group(), c.position(), c.digest(), c.master(), c.leaseEntry(), c.versions(), table);
    }

    private void onCompacted(ShellMessage.Compacted c) {
        int g = c.group();
        long need = cores[g].chosenUpTo() + 1;
        if (c.minRetained() <= need) return;
        triggers[g].noteCompacted(c.from(), c.minRetained(), clock.nanoTime());
        maybeRequestCheckpoint(g, need);
    }

    /** How long a "compacted" answer counts, and how long to wait before asking again. */
    private static final CheckpointTrigger.Timing CHECKPOINT_TIMING = new CheckpointTrigger.Timing(
            100L * SimParams.TICK_UNITS * NANOS_PER_UNIT, 40L * SimParams.TICK_UNITS * NANOS_PER_UNIT);

    /** The production {@link CheckpointTrigger} decides; the simulation carries the request. */
    private void maybeRequestCheckpoint(int g, long need) {
        if (installing[g]) return;
        List<Integer> reachable = new ArrayList<>();
        // the peers catch-up may ask (members in force or pending), as the engine's CheckpointService
        for (int p : runtimes[g].catchUpPeers()) {
            if (sim.nodes[p].up && sim.network.connected(id, p)) reachable.add(p);
        }
        if (reachable.isEmpty()) return;
        int peer = triggers[g].decide(need, clock.nanoTime(), reachable, runtimes[g].peerChosen());
        if (peer != 0) sim.network.send(new ShellMessage.CheckpointRequest(id, peer, g, need));
    }

    /** Install: stage (durable, rolled back by a crash), then after a while commit atomically and rebuild. */
    private void onCheckpoint(SimCheckpoint c, byte[] membership) {
        int g = c.group();
        if (installing[g] || c.position() <= executors[g].executedInstance()) return;
        installing[g] = true;
        store.stage(c);
        int inc = incarnation;
        sim.after((long) sim.params.installTicks() * SimParams.TICK_UNITS, () -> {
            if (inc != incarnation || !up) return;
            int crashPoint = sim.chance(sim.params.installCrashPermille()) ? 1 + sim.random.nextInt(2) : 0;
            if (crashPoint == 1 && sim.crashDuringInstall(this)) return; // before the commit: the old state stays
            log.sync();
            if (sim.variant.nonAtomicInstall) {
                store.commitPositionOnly(g);
                if (crashPoint == 2 && sim.crashDuringInstall(this)) return;
            }
            store.commitStaged(g);
            recordMembership(g, membership); // with the commit, as the production install does
            if (crashPoint == 2 && sim.crashDuringInstall(this)) return; // after the commit: restarts from the new state
            sim.checkpointInstalls++;
            rebuild(g);
        });
    }

    /** Keeps the sender's membership history unless this node's scanned further (as {@code CheckpointInstall}). */
    private void recordMembership(int g, byte[] theirs) {
        if (theirs == null) return;
        byte[] mine = store.meta(g, GroupRuntime.MEMBERSHIP_KEY);
        if (mine != null && ConfigTracker.decode(mine).scannedUpTo() >= ConfigTracker.decode(theirs).scannedUpTo()) return;
        store.putMeta(g, GroupRuntime.MEMBERSHIP_KEY, theirs);
    }

    /** The group's membership history: the log's (durable metadata) if it holds one, else the bootstrap. */
    private ConfigTracker tracker(int g, long applyFrom) {
        byte[] h = store.meta(g, GroupRuntime.MEMBERSHIP_KEY);
        ConfigTracker t = h == null ? ConfigTracker.bootstrap(membership, applyFrom) : ConfigTracker.decode(h);
        return t.withDelay(sim.variant.activationDelay).identifiedAs(sim.variant.incarnationGate ? diskIncarnation : null, joining);
    }

    // ---------------------------------------------------------------- node identity

    /** The incarnation of disk {@code disk} of node {@code node} (lower-case hex, as a data directory's). */
    private static String incarnationOf(int node, int disk) {
        return Integer.toHexString(node * 0x100 + disk);
    }

    /** The incarnation of this node's current disk, which its transport presents to peers. */
    String incarnation() {
        return diskIncarnation;
    }

    /** True if {@code m} lists this node's current disk: its incarnation, or none (the bootstrap's) for the first disk. */
    boolean holdsDiskOf(paxos.api.Member m) {
        return m.nodeId() == id && (m.incarnation() == null ? disks == 0 : m.incarnation().equals(diskIncarnation));
    }

    /** This node as an operator adds it: its address and the incarnation of its current disk. */
    paxos.api.Member member(paxos.api.MemberRole role) {
        return new paxos.api.Member(id, "127.0.0.1", 7000 + id, role, diskIncarnation);
    }

    /**
     * The whole disk is lost (crashing the node if it is up): it comes back empty, with a new
     * incarnation, through the join path: it learns, and votes nowhere until an operator replaces
     * it by itself under the new incarnation.
     */
    void wipe() {
        if (up) crash();
        store.wipe();
        diskIncarnation = incarnationOf(id, ++disks);
        joining = true;
    }

    /** The group restarts from its new checkpoint; requests waiting on the old runtime fail. */
    private void rebuild(int g) {
        failWaiting(g);
        runtimes[g].retire("checkpoint installed");
        epoch[g]++;
        sim.oracle.restarted(id, g);
        build(g);
    }

    private void failWaiting(int g) {
        List<Client> failed = new ArrayList<>(waiting.get(g).values());
        waiting.get(g).clear();
        for (Client c : failed) sim.clientFailed(c);
    }

    /** Power loss: unsynced writes, in-flight Readies, queued tasks and waiting callers are gone. */
    void crash() {
        up = false;
        log.crash();
        sim.oracle.restarted(id);
        for (int g = 0; g < waiting.size(); g++) failWaiting(g);
        cores = null;
        executors = null;
        runtimes = null;
    }

    void tick() {
        if (!up) return;
        for (GroupRuntime r : runtimes) r.tick();
    }

    void receive(Message m, String senderIncarnation) {
        if (!up) return;
        int g = m.group();
        // below the retained log: say so (the requester may need a checkpoint), as the engine does
        if (m instanceof Message.CatchUpRequest q
                && CheckpointTrigger.cannotServe(q.fromInstance(), store.minRetained(g), cores[g].chosenUpTo(), i -> log.read(g, i))) {
            sim.network.send(new ShellMessage.Compacted(id, q.from(), g, Math.max(store.minRetained(g), q.fromInstance() + 1)));
            return;
        }
        runtimes[g].receive(m, senderIncarnation, gate);
        // a peer behind too may be what keeps this node from asking for a checkpoint: look again
        if (m instanceof Message.CatchUpReply r && r.chosenUpTo() < cores[g].chosenUpTo() + 1) {
            maybeRequestCheckpoint(g, cores[g].chosenUpTo() + 1);
        }
    }

    /** A client's proposal, through the production runtime; false if this node cannot take it now. */
    boolean propose(Client c) {
        BatchCommand cmd;
        MasterInfo master = executors[c.group].master();
        if (!c.probe && sim.chance(sim.params.versionPermille())) {
            // an operator activates a version installed here; sometimes as a compare-and-set on what it sees in force
            String version = List.copyOf(installed).get(sim.random.nextInt(installed.size()));
            String seen = executors[c.group].versionsInForce().getOrDefault(STATE_MACHINE_ID, SystemCommand.ActivateVersion.NONE);
            String expected = sim.random.nextBoolean() ? SystemCommand.ActivateVersion.ANY : seen;
            cmd = new BatchCommand(0, -1, id, 0, new SystemCommand.ActivateVersion(STATE_MACHINE_ID, version, expected).encode());
            c.claim = true;
        } else if (c.probe || !sim.chance(sim.params.masterPermille())) {
            cmd = new BatchCommand(STATE_MACHINE_ID, -1, id, 0, c.nextValue());
            c.claim = false;
        } else if (sim.random.nextBoolean()) {
            cmd = new BatchCommand(0, -1, id, 0, new SystemCommand.MasterClaim(id, master.version(), 1000).encode());
            c.claim = true;
        } else {
            cmd = new BatchCommand(STATE_MACHINE_ID, master.version(), id, 0, c.nextValue());
            c.claim = false;
        }
        long token = ((long) incarnation << 32) | requestCounter++;
        c.node = id;
        c.requestId = token;
        waiting.get(c.group).put(token, c);
        int g = c.group;
        runtimes[g].propose(List.of(cmd), PROPOSAL_TIMEOUT_MILLIS).get(0).whenComplete((done, error) -> {
            if (waiting.get(g).remove(token) == null) return; // the client gave up, or the node crashed
            if (error == null) sim.clientAcked(c, done.instance(), done.index());
            else if (expectedFailure(error)) sim.clientFailed(c);
            else sim.oracle.violation("unexpected outcome " + error);
        });
        return true;
    }

    /** What a correct cluster may answer a client: the master changed, refused (not a voter), timed out. */
    private static boolean expectedFailure(Throwable error) {
        return error instanceof MasterChangedException || error instanceof NotMemberException
                || error instanceof OverloadedException || error instanceof ProposalTimeoutException;
    }

    /** The latest decided membership of {@code g} here (in force, or chosen and pending). */
    paxos.api.Membership latestMembership(int g) {
        return runtimes[g].latestMembership();
    }

    /** The membership in force in {@code g} for this node's next instance. */
    paxos.api.Membership membershipInForce(int g) {
        return runtimes[g].membershipInForce();
    }

    /** An operator's membership change through this node; a correct cluster only refuses or times out. */
    void changeMembership(int g, paxos.api.MembershipChange change) {
        CompletableFuture<paxos.api.Membership> f;
        paxos.api.Membership latest = runtimes[g].latestMembership(); // what the change is computed against
        try {
            f = runtimes[g].changeMembership(change);
        } catch (IllegalArgumentException | paxos.api.ConflictException e) {
            return; // does not apply, or one is pending: refused at once
        }
        sim.operatorChanges.proposed(g, latest, change);
        f.whenComplete((m, e) -> {
            if (e == null) sim.membershipApplied++;
            else if (!(e instanceof IllegalArgumentException || e instanceof paxos.api.PaxosException
                    || e instanceof IllegalStateException))
                sim.oracle.violation("unexpected membership change outcome " + e);
        });
    }

    /** The client gave up waiting. */
    void forget(Client c) {
        waiting.get(c.group).remove(c.requestId);
    }

    /** True if some write waits for its fsync. */
    boolean syncPending() {
        return log.syncPending();
    }

    long executed(int g) {
        return up ? executors[g].executedInstance() : -2;
    }

    long chosenUpTo(int g) {
        return up ? cores[g].chosenUpTo() : -2;
    }

    /** What holds execution of {@code g} here, for the liveness report ("" if nothing). */
    String holds(int g) {
        if (!up || executors[g].waitingFor().isEmpty()) return "";
        return " node" + id + " waits for " + executors[g].waitingFor() + executors[g].waitingForVersions() + " installed " + installed;
    }

    GroupCore core(int g) {
        return cores[g];
    }

    /** Group 0 metadata of the simulated disk (durable at once; lost with a wipe), where the production rule keeps the IDs. */
    private record DiskIds(SimStore disk) implements RequestIds.Metadata {
        @Override
        public byte[] get(String key) {
            return disk.meta(0, key);
        }

        @Override
        public void put(String key, byte[] value) {
            disk.putMeta(0, key, value);
        }
    }
}
