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
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.SystemCommand;

/**
 * One simulated node: the deterministic shell doing what the production runtime does around the
 * same cores and executors — {@code ready()} → append → (simulated fsync) → send → serve reads →
 * apply → {@code advance()} — with a simulated disk and network.
 */
final class SimNode {
    /** The state machine ID the simulated clients use. */
    static final int STATE_MACHINE_ID = 1;

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

    SimNode(Simulation sim, int id, Membership membership) {
        this.sim = sim;
        this.id = id;
        this.membership = membership;
        this.store = sim.diskRoot == null ? new SimStore()
                : new SimStore(new LogStoreDurable(sim.diskRoot.resolve("node-" + id)));
        for (int g = 0; g < sim.params.groups(); g++) waiting.add(new TreeMap<>());
    }

    /** Starts (or restarts) from what the disk holds durably; state machines replay from instance 0. */
    void start() {
        incarnation++;
        up = true;
        int groups = sim.params.groups();
        cores = new GroupCore[groups];
        executors = new GroupExecutor[groups];
        syncing = new int[groups];
        lastCompletionAt = new long[groups];
        for (int g = 0; g < groups; g++) {
            CoreConfig cfg = CoreConfig.defaults(g, id, membership).withTimeouts(sim.params.heartbeatTicks(), sim.params.electionTimeoutTicks(), sim.params.heartbeatTicks() + 2)
                    .withBatching(sim.params.windowMax(), sim.params.batchCountMax(), 64 << 10, sim.params.batchDelayTicks(), 1024)
                    .withBounds(1000, 1 << 20, sim.params.replyEntriesMax(), 64 << 10, sim.params.replyEntriesMax() * 4)
                    .withQuorumRule(sim.variant.quorumRule);
            cores[g] = new GroupCore(cfg, store.recover(g), sim.forkRandom());
            executors[g] = new GroupExecutor(g, id, ExecutorState.INITIAL, 10_000);
            executors[g].register(STATE_MACHINE_ID, new Recorder(g));
            pump(g);
        }
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
        cores[m.group()].step(m);
        pump(m.group());
    }

    /** A client's proposal; false if refused at once. */
    boolean propose(Client c) {
        long requestId = ((long) incarnation << 32) | requestCounter++;
        BatchCommand cmd;
        MasterInfo master = executors[c.group].master();
        if (c.probe || !sim.chance(sim.params.masterPermille())) {
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
            long at = Math.max(lastCompletionAt[g], sim.now() + sim.fsyncDelay());
            lastCompletionAt[g] = at;
            sim.after(at - sim.now(), () -> {
                if (inc != incarnation || !up) return;
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
        for (ExecOutcome o : executors[g].run()) {
            Client c = waiting.get(g).remove(o.requestId());
            if (c == null) continue;
            if (o instanceof ExecOutcome.Completed done) sim.clientAcked(c, done.instance(), done.index());
            else if (!(o instanceof ExecOutcome.Failed f && f.error() instanceof MasterChangedException))
                sim.oracle.violation("unexpected outcome " + o);
            else sim.clientFailed(c);
        }
        sim.oracle.master(id, g, executors[g].executedInstance(), executors[g].master());
        if (executors[g].failure() != null) sim.oracle.violation("node " + id + " group " + g + " failed: " + executors[g].failure());
        cores[g].advance(r);
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
    private final class Recorder implements StateMachine {
        private final int group;

        Recorder(int group) {
            this.group = group;
        }

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            sim.oracle.executed(id, group, batch.instance(), batch.commands());
            batch.commands().forEach(c -> results.complete(c.index(), "ok"));
        }
    }
}
