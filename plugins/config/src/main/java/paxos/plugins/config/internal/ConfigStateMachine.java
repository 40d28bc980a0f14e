package paxos.plugins.config.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.BiConsumer;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.plugin.support.store.GroupStore;
import paxos.plugin.support.store.GroupStoreStateMachine;
import paxos.plugins.config.ConfigEntry;

/**
 * The config store state machine: one {@link ConfigGroupStore} per group under a base directory
 * ({@code <base>/group-<g>/db}; the plugin registers it for group 0 only). Checkpoints are copies
 * made from a LevelDB snapshot into {@code <base>/group-<g>/checkpoint}, so execution continues
 * while a checkpoint is shipped.
 *
 * <p>After each executed batch that changed PIDs, the change listener (if set) is told which, on
 * the execution thread, after the batch is durable in the store; it must not block.
 *
 * <p>Threads: {@link #execute} on each group's execution thread; reads and checkpoint calls on
 * any thread.
 */
public final class ConfigStateMachine extends GroupStoreStateMachine<ConfigGroupStore> implements DigestSupport {
    private volatile BiConsumer<Integer, List<String>> changeListener = (g, pids) -> {};

    /** @param base directory holding one sub-directory per group; created if missing */
    public ConfigStateMachine(Path base) {
        super(base, "config");
    }

    @Override
    protected ConfigGroupStore openGroup(int group, GroupStore store) {
        return new ConfigGroupStore(store);
    }

    /** Sets who hears of changed PIDs (group, PIDs in execution order); replaces the previous one. */
    public void setChangeListener(BiConsumer<Integer, List<String>> listener) {
        this.changeListener = listener;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        List<String> changed = group(batch.group()).apply(batch.instance(), values(batch), inOrder(batch, results));
        if (!changed.isEmpty()) changeListener.accept(batch.group(), changed);
    }

    /** The entry under {@code pid} in {@code group}, as executed locally. Thread-safe. */
    public Optional<ConfigEntry> get(int group, String pid) {
        return group(group).get(pid);
    }

    /** Every stored PID of {@code group} with its version, in PID order. Thread-safe. */
    public SortedMap<String, Long> versions(int group) {
        return group(group).versions();
    }

    /** Digest of the group's whole state, equal on replicas at the same position. */
    public long checksum(int group) {
        return group(group).checksum();
    }

    /**
     * The {@link #checksum}: it walks the store, which the digest contract allows here because a
     * config store holds few, small entries and the engine asks once per digest interval.
     */
    @Override
    public long digest(int group, long instance) {
        return checksum(group);
    }
}
