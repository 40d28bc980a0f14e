package example.counter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.EncodedResult;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.ResultEncoder;
import paxos.plugin.support.store.GroupStore;
import paxos.plugin.support.store.GroupStoreStateMachine;

/**
 * A counter per group. Commands are UTF-8 text: {@code add <n>} adds {@code n}, {@code get} reads
 * through the log. Anything else is answered "unknown command" (a result, not an exception: a node
 * running an older version of this plugin must keep following the log when a newer one proposes
 * a command it does not know).
 *
 * <p>State: the value in a {@link GroupStore} per group, written atomically with the instance's
 * position; checkpoints (copies of that store) and per-group directories come from
 * {@link GroupStoreStateMachine}. Threads: {@link #execute} and {@link #digest} on the group's
 * execution thread; {@link #value}, {@link #encode} and the checkpoint calls on any thread.
 */
public final class Counter extends GroupStoreStateMachine<Counter.Group> implements DigestSupport, ResultEncoder {
    private static final byte[] VALUE = {'v'};

    /** What a command did. */
    public record Result(boolean understood, long value) {}

    /** A group's store and its value as of the store's position. */
    record Group(GroupStore store, AtomicLong value) implements GroupState {}

    /** @param directory one sub-directory per group is made below it */
    public Counter(Path directory) {
        super(directory, "counter");
    }

    @Override
    protected Group openGroup(int group, GroupStore store) {
        return new Group(store, new AtomicLong(store.getLong(VALUE, 0)));
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        Group g = group(batch.group());
        Consumer<Result> answer = inOrder(batch, results);
        long[] value = {g.value().get()};
        boolean applied = g.store().apply(batch.instance(), writes -> {
            for (byte[] command : values(batch)) {
                String[] words = new String(command, StandardCharsets.UTF_8).trim().split("\\s+");
                boolean understood = true;
                if (words.length == 2 && words[0].equals("add")) {
                    try {
                        value[0] += Long.parseLong(words[1]);
                    } catch (NumberFormatException e) {
                        understood = false;
                    }
                } else {
                    understood = words.length == 1 && words[0].equals("get");
                }
                answer.accept(new Result(understood, value[0]));
            }
            writes.putLong(VALUE, value[0]);
        });
        if (applied) g.value().set(value[0]); // a replayed instance (applied == false) changes nothing
    }

    /** The group's value as executed on this node. */
    public long value(int group) {
        return group(group).value().get();
    }

    /** The value is the whole state, so it is its own digest. */
    @Override
    public long digest(int group, long instance) {
        return value(group);
    }

    /** {@code {"understood":true,"value":42}} for the command endpoint and the REST resource. */
    @Override
    public EncodedResult encode(Object result) {
        if (!(result instanceof Result r)) return EncodedResult.text(result);
        String json = "{\"understood\":" + r.understood() + ",\"value\":" + r.value() + "}";
        return new EncodedResult(json.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
