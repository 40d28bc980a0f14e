package paxos.impl.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.api.Proposal;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/**
 * Executes one group's chosen instances in order: decodes each batch, decides master-conditional
 * commands, runs system commands, and hands each present state machine the instance's commands
 * addressed to it in one {@link StateMachine#execute} call.
 *
 * <p><b>Threads.</b> Single-threaded: the group's execution thread calls every method. No I/O,
 * clock or randomness; the same code runs in production and in the simulator.
 *
 * <p><b>Waiting, never skipping.</b> If an instance carries a command for a state machine that is
 * not registered, execution stops before that instance (nothing of it runs) and
 * {@link #waitingFor()} names the missing IDs; {@link #run()} continues once they register.
 *
 * <p><b>Master version.</b> The version in force at each position is a pure function of the log:
 * it changes only by a {@link SystemCommand.MasterClaim} that names the version in force, and a
 * conditional command runs iff its version equals the one in force at its (instance, index).
 * Rejected conditional commands reach no state machine; their proposer gets
 * {@link MasterChangedException}.
 *
 * <p><b>Failures.</b> A batch that does not decode, or a state machine that throws, stops the group
 * for good: {@link #failure()} says why; {@link #run()} then does nothing.
 */
public final class GroupExecutor {
    private final int group;
    private final int selfNode;
    private final int commandsMax;
    private final Map<Integer, StateMachine> machines = new HashMap<>();
    private final Map<Integer, Long> positions = new HashMap<>();
    private final ArrayDeque<ChosenValue> queue = new ArrayDeque<>();
    private long nextInstance;
    private long lastOffered;
    private MasterInfo master;
    private List<Integer> waitingFor = List.of();
    private String failure;

    /**
     * @param selfNode this node: only its commands produce {@link ExecOutcome}s
     * @param commandsMax the largest command count a batch may decode to
     */
    public GroupExecutor(int group, int selfNode, ExecutorState start, int commandsMax) {
        this.group = group;
        this.selfNode = selfNode;
        this.commandsMax = commandsMax;
        this.nextInstance = start.nextInstance();
        this.lastOffered = start.nextInstance() - 1;
        this.master = start.masterInForce();
    }

    /** Adds a state machine; it receives instances above its {@link StateMachine#checkpointInstance}. */
    public void register(int stateMachineId, StateMachine machine) {
        if (stateMachineId < Proposal.MIN_STATE_MACHINE_ID || stateMachineId > Proposal.MAX_STATE_MACHINE_ID)
            throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
        machines.put(stateMachineId, machine);
        positions.put(stateMachineId, machine.checkpointInstance(group));
    }

    /** Removes a state machine; instances that need it will wait. */
    public void unregister(int stateMachineId) {
        machines.remove(stateMachineId);
        positions.remove(stateMachineId);
    }

    /** Queues the next chosen instance (the core hands them out in order, without gaps). */
    public void offer(ChosenValue chosen) {
        if (chosen.instance() != lastOffered + 1)
            throw new IllegalArgumentException("expected instance " + (lastOffered + 1) + " but got " + chosen.instance());
        lastOffered = chosen.instance();
        queue.addLast(chosen);
    }

    /** Executes queued instances as far as possible; returns the outcomes for this node's requests. */
    public List<ExecOutcome> run() {
        List<ExecOutcome> outcomes = new ArrayList<>();
        while (failure == null && !queue.isEmpty()) {
            ChosenValue next = queue.peekFirst();
            List<BatchCommand> commands;
            try {
                commands = BatchCodec.decode(next.value(), commandsMax);
            } catch (IllegalArgumentException e) {
                failure = "instance " + next.instance() + " holds an undecodable batch: " + e.getMessage();
                break;
            }
            if (!execute(next.instance(), commands, outcomes)) break;
            queue.removeFirst();
            nextInstance = next.instance() + 1;
        }
        return outcomes;
    }

    /** One instance, atomically: decide everything first, then wait or run it all. */
    private boolean execute(long instance, List<BatchCommand> commands, List<ExecOutcome> outcomes) {
        MasterInfo inForce = master;
        Map<Integer, List<Integer>> perMachine = new TreeMap<>();
        List<ExecOutcome> local = new ArrayList<>();
        TreeSet<Integer> missing = new TreeSet<>();
        for (int index = 0; index < commands.size(); index++) {
            BatchCommand c = commands.get(index);
            boolean mine = c.proposerNode() == selfNode;
            if (c.stateMachineId() == 0) {
                inForce = system(instance, index, c, inForce, mine ? local : null);
            } else if (c.masterVersion() != Proposal.NO_MASTER_CONDITION && c.masterVersion() != inForce.version()) {
                if (mine) local.add(new ExecOutcome.Failed(c.requestId(), instance, index,
                        new MasterChangedException(c.masterVersion(), inForce.version())));
            } else {
                perMachine.computeIfAbsent(c.stateMachineId(), k -> new ArrayList<>()).add(index);
                if (!machines.containsKey(c.stateMachineId())) missing.add(c.stateMachineId());
            }
        }
        if (!missing.isEmpty()) {
            waitingFor = List.copyOf(missing);
            return false;
        }
        waitingFor = List.of();
        for (Map.Entry<Integer, StateMachine> e : new TreeMap<>(machines).entrySet()) {
            int id = e.getKey();
            if (positions.get(id) >= instance) continue;
            List<Integer> indexes = perMachine.getOrDefault(id, List.of());
            if (!callMachine(instance, id, e.getValue(), commands, indexes, local)) return false;
            positions.put(id, instance);
        }
        master = inForce;
        local.sort(java.util.Comparator.comparingInt(ExecOutcome::index));
        outcomes.addAll(local);
        return true;
    }

    private MasterInfo system(long instance, int index, BatchCommand c, MasterInfo inForce, List<ExecOutcome> local) {
        SystemCommand sc = SystemCommand.decode(c.value());
        if (sc instanceof SystemCommand.MasterClaim claim) {
            if (claim.expectedVersion() == inForce.version()) {
                MasterInfo next = new MasterInfo(claim.node(), instance, claim.leaseMillis());
                if (local != null) local.add(new ExecOutcome.Completed(c.requestId(), instance, index, next));
                return next;
            }
            if (local != null) local.add(new ExecOutcome.Failed(c.requestId(), instance, index,
                    new MasterChangedException(claim.expectedVersion(), inForce.version())));
            return inForce;
        }
        // A barrier, or an unknown system command (a newer engine's): a deterministic no-op everywhere.
        if (local != null) local.add(new ExecOutcome.Completed(c.requestId(), instance, index, null));
        return inForce;
    }

    private boolean callMachine(long instance, int id, StateMachine machine, List<BatchCommand> commands,
                                List<Integer> indexes, List<ExecOutcome> local) {
        List<Command> batch = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            BatchCommand c = commands.get(index);
            batch.add(new Command(instance, index, c.value(), c.masterVersion()));
        }
        Results results = new Results(commands, indexes);
        try {
            machine.execute(new ExecutionBatch(group, instance, batch), results);
        } catch (Exception e) {
            failure = "state machine " + id + " failed at instance " + instance + ": " + e;
            return false;
        }
        for (int index : indexes) {
            BatchCommand c = commands.get(index);
            if (c.proposerNode() == selfNode)
                local.add(new ExecOutcome.Completed(c.requestId(), instance, index, results.values.get(index)));
        }
        return true;
    }

    /** Results of one execute call; valid only during it. */
    private final class Results implements ExecutionResults {
        private final List<BatchCommand> commands;
        private final List<Integer> indexes;
        private final Map<Integer, Object> values = new HashMap<>();

        Results(List<BatchCommand> commands, List<Integer> indexes) {
            this.commands = commands;
            this.indexes = indexes;
        }

        @Override
        public void complete(int index, Object result) {
            if (!indexes.contains(index)) throw new IllegalArgumentException("no command of this batch has index " + index);
            values.putIfAbsent(index, result);
        }

        @Override
        public boolean isAwaited(int index) {
            return indexes.contains(index) && commands.get(index).proposerNode() == selfNode;
        }
    }

    /** The next instance to execute (everything below it ran). */
    public long nextInstance() {
        return nextInstance;
    }

    /** Highest executed instance, {@code -1} if none. */
    public long executedInstance() {
        return nextInstance - 1;
    }

    /** The master in force after the executed instances. */
    public MasterInfo master() {
        return master;
    }

    /** State machine IDs whose absence blocks execution; empty unless waiting. */
    public List<Integer> waitingFor() {
        return waitingFor;
    }

    /** Why the group stopped, or {@code null}. */
    public String failure() {
        return failure;
    }

    /** Chosen instances received and not yet executed. */
    public int queuedInstances() {
        return queue.size();
    }
}
