package paxos.testplugins.counter;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * A counter per group, in memory: commands are UTF-8 text {@code "<op> [<number>]"}, e.g.
 * {@code add 5}; the {@link Dialect} of the bundle's version decides what they do. It keeps no
 * checkpoint ({@link #checkpointInstance} is -1), so the engine replays the group's log into a
 * fresh instance after every start, update or restart of the bundle.
 *
 * <p>Threads: {@link #execute} on each group's execution thread; {@link #value} on any thread.
 */
public final class CounterStateMachine implements StateMachine {
    /** The counter's state machine ID: one the platform's own plugins do not use. */
    public static final int STATE_MACHINE_ID = 4242;

    /** What a command did: whether this version understood it, and the value after it. */
    public record Result(boolean understood, long value, String op) {
        @Override
        public String toString() {
            return understood ? "value " + value : "unknown command " + op + " (value " + value + ")";
        }
    }

    private final Dialect dialect;
    private final ConcurrentHashMap<Integer, Long> values = new ConcurrentHashMap<>();

    public CounterStateMachine(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        long value = values.getOrDefault(batch.group(), 0L);
        for (Command c : batch.commands()) {
            String[] words = new String(c.value(), StandardCharsets.UTF_8).trim().split("\\s+", 2);
            long arg = 0;
            boolean wellFormed = true;
            if (words.length > 1) {
                try {
                    arg = Long.parseLong(words[1].trim());
                } catch (NumberFormatException e) {
                    wellFormed = false;
                }
            }
            OptionalLong next = wellFormed ? dialect.apply(words[0], arg, value) : OptionalLong.empty();
            if (next.isPresent()) value = next.getAsLong();
            results.complete(c.index(), new Result(next.isPresent(), value, words[0]));
        }
        values.put(batch.group(), value);
    }

    /** The group's value as executed here. */
    public long value(int group) {
        return values.getOrDefault(group, 0L);
    }
}
