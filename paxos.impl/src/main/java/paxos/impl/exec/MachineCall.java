package paxos.impl.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCommand;

/**
 * One {@link StateMachine#execute} call of {@link GroupExecutor}: the instance's commands addressed
 * to one state machine, and the results it reports for them. Called on the group's execution
 * thread; the {@link ExecutionResults} handed to the state machine is valid only during the call.
 */
final class MachineCall {
    private MachineCall() {
    }

    /**
     * Calls {@code machine} with the commands at {@code indexes} of {@code commands} and adds an
     * {@link ExecOutcome.Completed} to {@code local} for each of them that is {@code mine} (a caller on this node waits for it).
     *
     * @return {@code null}, or what {@code execute} threw (then nothing was added to {@code local})
     */
    static Exception run(int group, java.util.function.Predicate<BatchCommand> mine, long instance, StateMachine machine, List<BatchCommand> commands,
                         List<Integer> indexes, List<ExecOutcome> local) {
        List<Command> batch = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            BatchCommand c = commands.get(index);
            batch.add(new Command(instance, index, c.value(), c.masterVersion()));
        }
        Results results = new Results(mine, commands, indexes);
        try {
            machine.execute(new ExecutionBatch(group, instance, batch), results);
        } catch (Exception e) {
            return e;
        }
        for (int index : indexes) {
            BatchCommand c = commands.get(index);
            if (mine.test(c))
                local.add(new ExecOutcome.Completed(c.requestId(), instance, index, results.values.get(index)));
        }
        return null;
    }

    /** Results of one execute call; valid only during it. */
    private static final class Results implements ExecutionResults {
        private final java.util.function.Predicate<BatchCommand> mine;
        private final List<BatchCommand> commands;
        private final List<Integer> indexes;
        private final Map<Integer, Object> values = new HashMap<>();

        Results(java.util.function.Predicate<BatchCommand> mine, List<BatchCommand> commands, List<Integer> indexes) {
            this.mine = mine;
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
            return indexes.contains(index) && mine.test(commands.get(index));
        }
    }
}
