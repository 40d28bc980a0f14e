package paxos.testplugins.counter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalLong;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * A counter per group: commands are UTF-8 text {@code "<op> [<number>]"}, e.g. {@code add 5};
 * the {@link Dialect} of the bundle's version decides what they do. After each instance the value
 * and the instance are written together to {@code <dir>/group-<g>.state} (one small file, replaced
 * atomically; no fsync: the Paxos log replays what a crash loses), and
 * {@link #checkpointInstance} reports that instance: a new version, a redeployed bundle or a
 * restarted node resumes from the file, which is read at every call (not cached), so versions
 * side by side on one node see each other's writes. (An in-memory state machine would start
 * empty when its bundle comes back while the engine continues after its last executed instance.)
 *
 * <p>Threads: {@link #execute} on each group's execution thread; {@link #value} and
 * {@link #checkpointInstance} on any thread.
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

    /** A group's state: its value after {@code instance} ({@code -1}: none yet). */
    private record State(long instance, long value) {}

    private final Dialect dialect;
    private final Path dir;

    /** @param dir where the groups' state files live; created when first written */
    public CounterStateMachine(Dialect dialect, Path dir) {
        this.dialect = dialect;
        this.dir = dir;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) throws IOException {
        State state = state(batch.group());
        if (batch.instance() <= state.instance()) return; // replayed after a crash: already applied
        long value = state.value();
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
        State next = new State(batch.instance(), value);
        Files.createDirectories(dir);
        Path temp = file(batch.group()).resolveSibling("." + file(batch.group()).getFileName() + ".tmp");
        Files.writeString(temp, next.instance() + " " + next.value() + "\n");
        Files.move(temp, file(batch.group()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public long checkpointInstance(int group) {
        return state(group).instance();
    }

    /** The group's value as executed here. */
    public long value(int group) {
        return state(group).value();
    }

    private Path file(int group) {
        return dir.resolve("group-" + group + ".state");
    }

    /**
     * Read from the file at every call, never cached: several versions of the counter may be
     * deployed side by side on one node, each with its own instance of this class, and only the
     * one in force executes; the others must see its writes (at a hand-over the engine asks the
     * new version for {@link #checkpointInstance}, and a standby's servlet may answer GETs).
     */
    private State state(int group) {
        Path file = file(group);
        try {
            if (!Files.exists(file)) return new State(-1, 0);
            String[] words = Files.readString(file).trim().split(" ");
            return new State(Long.parseLong(words[0]), Long.parseLong(words[1]));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the counter's state " + file + ": " + e, e);
        }
    }
}
