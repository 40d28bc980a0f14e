package paxos.impl.runtime;

import java.util.List;
import paxos.api.MasterInfo;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;

/**
 * Brings ONE state machine from its checkpoint up to where its group executed, from the retained
 * log, while the group's other state machines stay as they are: used when a state machine
 * registers behind the group (a fixed or restarted service after a failure, a redeployed bundle).
 *
 * <p>It runs the same {@link GroupExecutor} code over the same chosen values, starting from the
 * master in force at the replay start as kept in {@link ExecMeta}, so every master-conditional
 * decision is the one the group made; the replay's outcomes go to nobody (node {@code 0}).
 * Runs on the group's execution thread, which the group needs anyway: it waits for this ID.
 */
final class SoloReplay {
    /** Records read from the store per step. */
    private static final int READ_MAX = 4096;
    private final int group;
    private final LogStore store;
    private final ExecMeta meta;
    private final int commandsMax;

    SoloReplay(int group, LogStore store, ExecMeta meta, int commandsMax) {
        this.group = group;
        this.store = store;
        this.meta = meta;
        this.commandsMax = commandsMax;
    }

    /**
     * Executes instances {@code [from, to)} with {@code machine} alone.
     *
     * @return {@code null} when done, else why it cannot (log compacted, master history pruned,
     *     a value not known chosen here)
     * @throws MachineFault if the state machine threw while replaying
     */
    String replay(int id, StateMachine machine, long from, long to) {
        // the kept master history starts at the lowest position any state machine of the group reported
        long historyFrom = meta.replayFrom().orElse(0L);
        if (from < store.range(group).minRetained())
            return "it needs instance " + from + " but the log is retained from " + store.range(group).minRetained()
                    + " only; restart it with a checkpoint";
        if (from < historyFrom) {
            // Below historyFrom the master history is pruned, so those instances cannot be replayed
            // faithfully. A state machine none of them addresses (typically one deployed for the first
            // time into a running group: checkpoint -1) has nothing to execute there: it starts at
            // historyFrom. The skipped instances call no state machine but this one, so its state is
            // the same as after a replay from `from`.
            String why = firstCommandFor(id, from, historyFrom);
            if (why != null) return why;
            from = historyFrom;
        }
        MasterInfo master = meta.masterBefore(from);
        GroupExecutor solo = new GroupExecutor(group, 0,
                new ExecutorState(from, master, Math.max(master.version(), meta.leaseEntryBefore(from)),
                        meta.versionsBefore(from)), commandsMax);
        // version null: it replays whatever version was in force (a new version taking over replays the old one's
        // instances since its checkpoint; see the README's upgrade rules)
        solo.register(id, null, machine, from - 1);
        for (long next = from; next < to; ) {
            List<InstanceRecord> chunk = store.readRange(group, next, to, READ_MAX);
            if (chunk.isEmpty()) return "instance " + next + " is missing from the log";
            for (InstanceRecord r : chunk) {
                if (r.instance() != next || !r.chosen())
                    return "instance " + next + " is not known chosen in the local log";
                solo.offer(new ChosenValue(next, r.value()));
                next++;
            }
            solo.run();
            if (solo.failure() != null) return solo.failure();
            String failed = solo.failedMachines().get(id);
            if (failed != null) throw new MachineFault(failed);
        }
        return null;
    }

    /**
     * {@code null} if no instance in {@code [from, to)} holds a command for {@code id}; else why a
     * replay from {@code from} is impossible.
     */
    private String firstCommandFor(int id, long from, long to) {
        for (long next = from; next < to; ) {
            List<InstanceRecord> chunk = store.readRange(group, next, to, READ_MAX);
            if (chunk.isEmpty()) return "instance " + next + " is missing from the log";
            for (InstanceRecord r : chunk) {
                if (r.instance() != next || !r.chosen())
                    return "instance " + next + " is not known chosen in the local log";
                List<BatchCommand> commands;
                try {
                    commands = BatchCodec.decode(r.value(), commandsMax);
                } catch (IllegalArgumentException e) {
                    return "instance " + next + " holds an undecodable batch: " + e.getMessage();
                }
                if (commands.stream().anyMatch(c -> c.stateMachineId() == id))
                    return "it needs instance " + from + " (instance " + next + " holds a command for it), below the lowest"
                            + " position " + (to - 1) + " known for the group; restart the node to replay the group";
                next++;
            }
        }
        return null;
    }

    /** The replayed state machine's execute threw: its fault, not the group's. */
    static final class MachineFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MachineFault(String why) {
            super(why, null, false, false);
        }
    }
}
