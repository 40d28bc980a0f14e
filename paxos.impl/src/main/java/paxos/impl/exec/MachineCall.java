package paxos.impl.exec;

import java.util.ArrayList;
import java.util.List;
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
     * Calls {@code machine} with the commands at the indexes {@code i} of {@code commands} where
     * {@code target[i] == id} (ascending) and adds an {@link ExecOutcome.Completed} to {@code local}
     * for each of them that is {@code mine[i]} (a caller on this node waits for it).
     *
     * @return {@code null}, or what {@code execute} threw (then nothing was added to {@code local})
     */
    static Exception run(int group, long instance, int id, StateMachine machine, List<BatchCommand> commands,
                         int[] target, boolean[] mine, List<ExecOutcome> local) {
        int n = commands.size();
        List<Command> batch = new ArrayList<>(n);
        for (int index = 0; index < n; index++) {
            if (target[index] != id) continue;
            BatchCommand c = commands.get(index);
            batch.add(new Command(instance, index, c.value(), c.masterVersion()));
        }
        Results results = new Results(id, n, target, mine);
        try {
            machine.execute(new ExecutionBatch(group, instance, batch), results);
        } catch (Exception e) {
            return e;
        }
        for (int index = 0; index < n; index++) {
            if (target[index] == id && mine[index])
                local.add(new ExecOutcome.Completed(commands.get(index).requestId(), instance, index, results.values[index]));
        }
        return null;
    }

    /** Results of one execute call; valid only during it. */
    private static final class Results implements ExecutionResults {
        private final int id;
        private final int[] target;
        private final boolean[] mine;
        /** By command index; the first non-null result reported wins (as a map's putIfAbsent). */
        private final Object[] values;

        Results(int id, int commands, int[] target, boolean[] mine) {
            this.id = id;
            this.target = target;
            this.mine = mine;
            this.values = new Object[commands];
        }

        private boolean inBatch(int index) {
            return index >= 0 && index < values.length && target[index] == id;
        }

        @Override
        public void complete(int index, Object result) {
            if (!inBatch(index)) throw new IllegalArgumentException("no command of this batch has index " + index);
            if (values[index] == null) values[index] = result;
        }

        @Override
        public boolean isAwaited(int index) {
            return inBatch(index) && mine[index];
        }
    }
}
