package paxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.spi.log.LogRecord;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.CatchUpRead;
import paxos.impl.core.ChosenValue;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.CoreState;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.core.ProposeResult;
import paxos.impl.core.Ready;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.DigestRecorder;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.SystemCommand;

/**
 * One simulated node: the deterministic shell doing what the production runtime does around the
 * same cores and executors — {@code ready()} → append → (simulated fsync) → send → serve reads →
 * apply → {@code advance()} — with a simulated disk and network.
 *
 * <p>Checkpoint catch-up as the runtime does it: a catch-up request below this node's retained log
 * is answered {@link ShellMessage.Compacted}; a node told "compacted" by every reachable peer asks
 * the one retaining the most for a checkpoint, stages it, commits it atomically (position, master
 * and state together; the log below deleted) and rebuilds that group's core and executor after it.
 */
final class SimNode {
    /** The state machine ID the simulated clients use. */
    static final int STATE_MACHINE_ID = 1;
    /** The state machine versions a node may have installed; every node starts with the first. */
    static final List<String> VERSIONS = List.of("v1", "v2", "v3");

    final int id;
    final SimStore store;
    private final Simulation sim;
    private final Membership membership;
    boolean up;
    private int incarnation;
    private GroupCore[] cores;
    private GroupExecutor[] executors;
    private int[] syncing;
    private long[] lastCompletionAt;
    private final List<TreeMap<Long, Client>> waiting = new ArrayList<>();
    private long requestCounter;
    /** Per group: bumped when the group is rebuilt after an install; stale fsync completions check it. */
    private int[] epoch;
    private Recorder[] recorders;
    /** Per group, the version of the registration the executor holds ({@code null}: any, the broken variant). */
    private String[] registeredVersion;
    /** Per group, the version in force this node last found missing (counts each hold once). */
    private String[] heldFor;
    /** Versions installed on this node (all groups); installing survives crashes, like a deployed bundle. */
    private final java.util.Set<String> installed = new java.util.TreeSet<>(List.of(VERSIONS.get(0)));
    /** Instances between the digests compared by the production comparison (see {@link Oracle#digestTaken}). */
    static final int DIGEST_INTERVAL = 8;
    /** {@link Variant#NONDETERMINISTIC_REPLICA}: the one departure happened. */
    private boolean perturbed;
    /** Per group, per peer: {minRetained, time} of its latest "compacted" answer. */
    private List<java.util.Map<Integer, long[]>> compactedNotes;
    /** Per group, per peer: time of its latest catch-up answer without the instance needed, from a peer behind it too. */
    private List<java.util.Map<Integer, Long>> behindNotes;
    private long[] checkpointRequestedAt;
    private boolean[] installing;
    /** How long a peer's "compacted" answer counts, and how long to wait before asking again. */
    private static final long NOTE_UNITS = 100L * SimParams.TICK_UNITS;
    private static final long REQUEST_RETRY_UNITS = 40L * SimParams.TICK_UNITS;

    SimNode(Simulation sim, int id, Membership membership) {
        this.sim = sim;
        this.id = id;
        this.membership = membership;
        this.store = sim.diskRoot == null ? new SimStore()
                : new SimStore(new LogStoreDurable(sim.diskRoot.resolve("node-" + id)));
        for (int g = 0; g < sim.params.groups(); g++) waiting.add(new TreeMap<>());
    }

    /**
     * Starts (or restarts) from what the disk holds durably; state machines resume from their
     * durable checkpoint, or replay from instance 0 if they have none.
     */
    void start() {
        incarnation++;
        up = true;
        int groups = sim.params.groups();
        cores = new GroupCore[groups];
        executors = new GroupExecutor[groups];
        syncing = new int[groups];
        lastCompletionAt = new long[groups];
        epoch = new int[groups];
        recorders = new Recorder[groups];
        registeredVersion = new String[groups];
        heldFor = new String[groups];
        compactedNotes = new ArrayList<>();
        behindNotes = new ArrayList<>();
        checkpointRequestedAt = new long[groups];
        installing = new boolean[groups];
        for (int g = 0; g < groups; g++) {
            compactedNotes.add(new java.util.HashMap<>());
            behindNotes.add(new java.util.HashMap<>());
            checkpointRequestedAt[g] = Long.MIN_VALUE / 2;
            build(g);
        }
    }

    /** Builds a group's core and executor from the durable log and checkpoint. */
    private void build(int g) {
        {
            CoreConfig cfg = CoreConfig.defaults(g, id, membership).withTimeouts(sim.params.heartbeatTicks(), sim.params.electionTimeoutTicks(), sim.params.heartbeatTicks() + 2)
                    .withBatching(sim.params.windowMax(), sim.params.batchCountMax(), 64 << 10, sim.params.batchDelayTicks(), 1024)
                    .withBounds(1000, 1 << 20, sim.params.replyEntriesMax(), 64 << 10, sim.params.replyEntriesMax() * 4)
                    .withQuorumRule(sim.variant.quorumRule).withPreVote(sim.variant.preVote);
            SimCheckpoint c = store.checkpoint(g);
            if (c == null) {
                cores[g] = new GroupCore(cfg, store.recover(g, 0), sim.forkRandom());
                executors[g] = new GroupExecutor(g, id, ExecutorState.INITIAL, 10_000);
                recorders[g] = new Recorder(g, -1, 0);
            } else {
                long resume = c.position() + sim.variant.resumeOffset;
                cores[g] = new GroupCore(cfg, store.recover(g, resume), sim.forkRandom());
                executors[g] = new GroupExecutor(g, id, new ExecutorState(resume, c.master(), c.leaseEntry(), c.versions()), 10_000);
                recorders[g] = new Recorder(g, resume - 1, c.digest());
                sim.oracle.installed(id, c);
            }
            registeredVersion[g] = null;
            registerVersion(g);
            int group = g;
            executors[g].observer(new DigestRecorder(g, DIGEST_INTERVAL,
                    (sm, instance, digest) -> sim.oracle.digestTaken(id, group, instance, digest)));
            pump(g);
        }
    }

    // ---------------------------------------------------------------- versions

    /** This node installs another version of the state machine (a bundle deployed side by side). */
    void install(String version) {
        installed.add(version);
        if (!up) return;
        for (int g = 0; g < executors.length; g++) {
            if (registerVersion(g)) run(g);
        }
    }

    /**
     * What the runtime does: the executor gets the installed version in force (before any
     * activation, the first); while the one in force is not installed, the old one stays
     * registered and the executor holds the group at the switch. Returns true if it changed.
     */
    private boolean registerVersion(int g) {
        String inForce = executors[g].versionsInForce().get(STATE_MACHINE_ID);
        String want = inForce != null && installed.contains(inForce) ? inForce
                : registeredVersion[g] != null ? registeredVersion[g] : VERSIONS.get(0);
        if (sim.variant.versionsIgnored) want = VERSIONS.get(0);
        if (inForce != null && !installed.contains(inForce) && !inForce.equals(heldFor[g])) {
            sim.versionHolds++; // this replica lacks the version in force: it holds the group at the switch
            heldFor[g] = inForce;
        }
        if (want.equals(registeredVersion[g])) return false;
        if (registeredVersion[g] != null) sim.versionHandOvers++;
        if (recorders[g].position != executors[g].executedInstance())
            sim.oracle.violation("node " + id + " group " + g + ": version " + want + " takes over at " + executors[g].executedInstance()
                    + " but the state stands at " + recorders[g].position);
        executors[g].unregister(STATE_MACHINE_ID);
        executors[g].register(STATE_MACHINE_ID, sim.variant.versionsIgnored ? null : want, new Versioned(recorders[g], want),
                recorders[g].position);
        registeredVersion[g] = want;
        return true;
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
                sim.network.send(new ShellMessage.CheckpointData(id, r.from(), recorders[r.group()].checkpoint()));
        } else if (m instanceof ShellMessage.CheckpointData d) onCheckpoint(d.checkpoint());
    }

    private void onCompacted(ShellMessage.Compacted c) {
        int g = c.group();
        long need = cores[g].chosenUpTo() + 1;
        if (c.minRetained() <= need) return;
        compactedNotes.get(g).put(c.from(), new long[] {c.minRetained(), sim.now()});
        maybeRequestCheckpoint(g, need);
    }

    /**
     * Asks for a checkpoint when every reachable peer lately said "compacted" or showed it is
     * behind too (its catch-up answer lacked the instance, its chosen position is below it: it
     * cannot serve the log either, and it never will say "compacted" — without this, two nodes
     * behind the same compacted peers wait for each other forever). Log catch-up is preferred.
     */
    private void maybeRequestCheckpoint(int g, long need) {
        if (installing[g] || sim.now() - checkpointRequestedAt[g] < REQUEST_RETRY_UNITS) return;
        int best = 0;
        long bestMin = -1;
        for (int p = 1; p < sim.nodes.length; p++) {
            if (p == id || !sim.nodes[p].up || !sim.network.connected(id, p)) continue;
            long[] note = compactedNotes.get(g).get(p);
            if (note == null || sim.now() - note[1] > NOTE_UNITS || note[0] <= need) {
                Long behind = behindNotes.get(g).get(p);
                if (behind != null && sim.now() - behind <= NOTE_UNITS) continue;
                return;
            }
            if (note[0] > bestMin) {
                bestMin = note[0];
                best = p;
            }
        }
        if (best == 0) return;
        checkpointRequestedAt[g] = sim.now();
        sim.network.send(new ShellMessage.CheckpointRequest(id, best, g, need));
    }

    /** Install: stage (durable, rolled back by a crash), then after a while commit atomically and rebuild. */
    private void onCheckpoint(SimCheckpoint c) {
        int g = c.group();
        if (installing[g] || c.position() <= executors[g].executedInstance()) return;
        installing[g] = true;
        store.stage(c);
        int inc = incarnation;
        sim.after((long) sim.params.installTicks() * SimParams.TICK_UNITS, () -> {
            if (inc != incarnation || !up) return;
            int crashPoint = sim.chance(sim.params.installCrashPermille()) ? 1 + sim.random.nextInt(2) : 0;
            if (crashPoint == 1 && sim.crashDuringInstall(this)) return; // before the commit: the old state stays
            store.sync();
            if (sim.variant.nonAtomicInstall) {
                store.commitPositionOnly(g);
                if (crashPoint == 2 && sim.crashDuringInstall(this)) return;
            }
            store.commitStaged(g);
            if (crashPoint == 2 && sim.crashDuringInstall(this)) return; // after the commit: restarts from the new state
            sim.checkpointInstalls++;
            rebuild(g);
        });
    }

    /** The group restarts from its new checkpoint; requests waiting on the old core fail. */
    private void rebuild(int g) {
        for (Client c : new ArrayList<>(waiting.get(g).values())) sim.clientFailed(c);
        waiting.get(g).clear();
        epoch[g]++;
        syncing[g] = 0;
        lastCompletionAt[g] = 0;
        installing[g] = false;
        compactedNotes.get(g).clear();
        behindNotes.get(g).clear();
        sim.oracle.restarted(id, g);
        build(g);
    }

    /** Power loss: unsynced writes, in-flight Readies and waiting callers are gone. */
    void crash() {
        up = false;
        store.crash();
        sim.oracle.restarted(id);
        for (TreeMap<Long, Client> w : waiting) {
            for (Client c : new ArrayList<>(w.values())) sim.clientFailed(c);
            w.clear();
        }
        cores = null;
        executors = null;
    }

    void tick() {
        if (!up) return;
        for (int g = 0; g < cores.length; g++) {
            cores[g].tick();
            pump(g);
        }
    }

    void receive(Message m) {
        if (!up) return;
        // below the retained log: say so (the requester may need a checkpoint) instead of serving nothing
        if (m instanceof Message.CatchUpRequest q && q.fromInstance() < store.minRetained(q.group())) {
            sim.network.send(new ShellMessage.Compacted(id, q.from(), q.group(), store.minRetained(q.group())));
            return;
        }
        if (m instanceof Message.CatchUpReply r && r.chosenUpTo() < cores[r.group()].chosenUpTo() + 1
                && !compactedNotes.get(r.group()).isEmpty()
                && r.entries().stream().noneMatch(e -> e.instance() == cores[r.group()].chosenUpTo() + 1)) {
            behindNotes.get(r.group()).put(r.from(), sim.now());
            maybeRequestCheckpoint(r.group(), cores[r.group()].chosenUpTo() + 1);
        }
        cores[m.group()].step(m);
        pump(m.group());
    }

    /** A client's proposal; false if refused at once. */
    boolean propose(Client c) {
        long requestId = ((long) incarnation << 32) | requestCounter++;
        BatchCommand cmd;
        MasterInfo master = executors[c.group].master();
        if (!c.probe && sim.chance(sim.params.versionPermille())) {
            // an operator activates a version installed here; sometimes as a compare-and-set on what it sees in force
            String version = List.copyOf(installed).get(sim.random.nextInt(installed.size()));
            String seen = executors[c.group].versionsInForce().getOrDefault(STATE_MACHINE_ID, SystemCommand.ActivateVersion.NONE);
            String expected = sim.random.nextBoolean() ? SystemCommand.ActivateVersion.ANY : seen;
            cmd = new BatchCommand(0, -1, id, requestId, new SystemCommand.ActivateVersion(STATE_MACHINE_ID, version, expected).encode());
            c.claim = true;
        } else if (c.probe || !sim.chance(sim.params.masterPermille())) {
            cmd = new BatchCommand(STATE_MACHINE_ID, -1, id, requestId, c.nextValue());
            c.claim = false;
        } else if (sim.random.nextBoolean()) {
            cmd = new BatchCommand(0, -1, id, requestId, new SystemCommand.MasterClaim(id, master.version(), 1000).encode());
            c.claim = true;
        } else {
            cmd = new BatchCommand(STATE_MACHINE_ID, master.version(), id, requestId, c.nextValue());
            c.claim = false;
        }
        ProposeResult r = cores[c.group].propose(List.of(cmd));
        if (!(r instanceof ProposeResult.Queued)) return false;
        c.node = id;
        c.requestId = requestId;
        waiting.get(c.group).put(requestId, c);
        pump(c.group);
        return true;
    }

    /** The client gave up waiting. */
    void forget(Client c) {
        waiting.get(c.group).remove(c.requestId);
    }

    /**
     * Hands out Readies. One at a time, or (if the seed says so) several overlapping: appended in
     * order and completed strictly in order, as the Ready contract allows.
     */
    private void pump(int g) {
        while (up && (syncing[g] == 0 || sim.params.pipelinedReadies()) && cores[g].hasReady()) {
            Ready r = cores[g].ready();
            store.append(r.toPersist());
            if (sim.variant.sendBeforePersist) send(r);
            if (syncing[g] == 0 && r.toPersist().isEmpty()) {
                complete(g, r);
                continue;
            }
            syncing[g]++;
            int inc = incarnation;
            int ep = epoch[g];
            long at = Math.max(lastCompletionAt[g], sim.now() + sim.fsyncDelay());
            lastCompletionAt[g] = at;
            sim.after(at - sim.now(), () -> {
                if (inc != incarnation || !up || ep != epoch[g]) return;
                store.sync();
                syncing[g]--;
                complete(g, r);
                pump(g);
            });
        }
    }

    /** After the sync: externalize. */
    private void complete(int g, Ready r) {
        for (LogRecord rec : r.toPersist()) {
            if (rec instanceof LogRecord.Chosen c) sim.oracle.chosen(id, g, c.instance(), c.value());
        }
        if (!sim.variant.sendBeforePersist) send(r);
        for (CatchUpRead read : r.catchUpReads())
            sim.network.send(read.reply(store.readRange(g, read.fromInstance(), read.toInstance(), read.entriesMax())));
        for (ChosenValue v : r.toApply()) {
            sim.oracle.chosen(id, g, v.instance(), v.value());
            executors[g].offer(v);
        }
        run(g);
        cores[g].advance(r);
    }

    /** Executes what it can, handing over to another version at a switch (which may let it execute further). */
    private void run(int g) {
        do {
            outcomes(g, executors[g].run());
            executors[g].drainVersionEntries();
        } while (registerVersion(g));
    }

    private void outcomes(int g, List<ExecOutcome> outcomes) {
        for (ExecOutcome o : outcomes) {
            Client c = waiting.get(g).remove(o.requestId());
            if (c == null) continue;
            if (o instanceof ExecOutcome.Completed done) sim.clientAcked(c, done.instance(), done.index());
            else if (!(o instanceof ExecOutcome.Failed f && f.error() instanceof MasterChangedException))
                sim.oracle.violation("unexpected outcome " + o);
            else sim.clientFailed(c);
        }
        sim.oracle.master(id, g, executors[g].executedInstance(), executors[g].master());
        if (executors[g].failure() != null) sim.oracle.violation("node " + id + " group " + g + " failed: " + executors[g].failure());
    }

    private void send(Ready r) {
        for (Message m : r.messages()) sim.network.send(m);
    }

    /** True if some Ready waits for its fsync. */
    boolean syncPending() {
        for (int n : syncing) if (n > 0) return true;
        return false;
    }

    long executed(int g) {
        return up ? executors[g].executedInstance() : -2;
    }

    long chosenUpTo(int g) {
        return up ? cores[g].chosenUpTo() : -2;
    }

    GroupCore core(int g) {
        return cores[g];
    }

    /** The simulated application: records what it executes for the oracle. */
    private final class Recorder {
        private final int group;
        /** The state: the last instance executed and the digest of everything executed. */
        long position;
        long digest;

        Recorder(int group, long position, long digest) {
            this.group = group;
            this.position = position;
            this.digest = digest;
        }


        SimCheckpoint checkpoint() {
            return new SimCheckpoint(group, position, digest, executors[group].master(), executors[group].leaseEntry(),
                    executors[group].versionsInForce());
        }

        void execute(ExecutionBatch batch, ExecutionResults results, String version) {
            digest = Oracle.digest(digest, batch.instance(), batch.commands());
            if (sim.variant.nondeterministicReplica && id == 1 && group == 0 && !perturbed && !batch.commands().isEmpty()) {
                perturbed = true;
                digest ^= 1; // this replica's state departs from the others' once
            }
            position = batch.instance();
            sim.oracle.executed(id, group, batch.instance(), batch.commands(), digest);
            sim.oracle.executedWith(id, group, batch.instance(), batch.commands().isEmpty(), version);
            batch.commands().forEach(c -> results.complete(c.index(), "ok"));
        }
    }

    /** One installed version of the state machine: all versions share the group's state (one data directory). */
    private record Versioned(Recorder state, String version) implements StateMachine, DigestSupport {
        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            state.execute(batch, results, version);
        }

        @Override
        public long digest(int group, long instance) {
            return state.digest;
        }
    }
}
