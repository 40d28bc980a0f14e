package paxos.sim;

import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.exec.GroupExecutor;

/**
 * The simulated application of one node and group: its state is the last instance executed and
 * a digest of everything executed; it reports each execution to the oracles. All installed
 * versions share it ({@link Versioned}), as versions share one data directory. Lost by a crash
 * (in memory); its checkpoint is what a node saves and sends.
 */
final class Recorder {
    private final Simulation sim;
    private final int node;
    private final int group;
    private final GroupExecutor executor;
    /** The state: the last instance executed and the digest of everything executed. */
    long position;
    long digest;
    /** The version that executed last (hand-overs are counted for the statistics). */
    private String lastVersion;

    Recorder(Simulation sim, int node, int group, GroupExecutor executor, long position, long digest) {
        this.sim = sim;
        this.node = node;
        this.group = group;
        this.executor = executor;
        this.position = position;
        this.digest = digest;
    }

    /** The state now, with the master, lease entry and versions in force at its position. */
    SimCheckpoint checkpoint() {
        return new SimCheckpoint(group, position, digest, executor.master(), executor.leaseEntry(), executor.versionsInForce(),
                executor.executedRequests());
    }

    void execute(ExecutionBatch batch, ExecutionResults results, String version) {
        if (lastVersion != null && !lastVersion.equals(version)) sim.versionHandOvers++;
        lastVersion = version;
        digest = Oracle.digest(digest, batch.instance(), batch.commands());
        if (sim.variant.nondeterministicReplica && node == 1 && group == 0 && !sim.perturbed && !batch.commands().isEmpty()) {
            sim.perturbed = true;
            digest ^= 1; // this replica's state departs from the others' once
        }
        position = batch.instance();
        sim.oracle.executed(node, group, batch.instance(), batch.commands(), digest);
        sim.oracle.executedWith(node, group, batch.instance(), batch.commands().isEmpty(), version);
        batch.commands().forEach(c -> results.complete(c.index(), "ok"));
    }

    /** One installed version of the state machine over the shared state. */
    record Versioned(Recorder state, String version) implements StateMachine, DigestSupport {
        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            state.execute(batch, results, version);
        }

        @Override
        public long digest(int group, long instance) {
            return state.digest;
        }

        /** Where the shared state stands (the runtime replays nothing below it at a version switch). */
        @Override
        public long checkpointInstance(int group) {
            return state.position;
        }
    }
}
