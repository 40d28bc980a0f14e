package paxos.plugins.config.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
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
public final class ConfigStateMachine implements StateMachine, CheckpointSupport, DigestSupport, AutoCloseable {
    private final Path base;
    private final ConcurrentHashMap<Integer, ConfigGroupStore> stores = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Path> lockedCheckpoints = new ConcurrentHashMap<>();
    private volatile BiConsumer<Integer, List<String>> changeListener = (g, pids) -> {};
    private volatile boolean closed;

    /** @param base directory holding one sub-directory per group; created if missing */
    public ConfigStateMachine(Path base) {
        this.base = base;
    }

    /** Sets who hears of changed PIDs (group, PIDs in execution order); replaces the previous one. */
    public void setChangeListener(BiConsumer<Integer, List<String>> listener) {
        this.changeListener = listener;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        List<byte[]> values = new ArrayList<>(batch.commands().size());
        for (Command c : batch.commands()) values.add(c.value());
        List<Command> commands = batch.commands();
        int[] next = {0};
        List<String> changed = store(batch.group()).apply(batch.instance(), values,
                result -> results.complete(commands.get(next[0]++).index(), result));
        if (!changed.isEmpty()) changeListener.accept(batch.group(), changed);
    }

    @Override
    public long checkpointInstance(int group) {
        return store(group).appliedInstance();
    }

    /** The entry under {@code pid} in {@code group}, as executed locally. Thread-safe. */
    public Optional<ConfigEntry> get(int group, String pid) {
        return store(group).get(pid);
    }

    /** Every stored PID of {@code group} with its version, in PID order. Thread-safe. */
    public SortedMap<String, Long> versions(int group) {
        return store(group).versions();
    }

    /** Digest of the group's whole state, equal on replicas at the same position. */
    public long checksum(int group) {
        try {
            return store(group).checksum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@link #checksum}: it walks the store, which the digest contract allows here because a
     * config store holds few, small entries and the engine asks once per digest interval.
     */
    @Override
    public long digest(int group, long instance) {
        return checksum(group);
    }

    @Override
    public CheckpointFiles lockCheckpoint(int group) throws IOException {
        Path dir = base.resolve("group-" + group).resolve("checkpoint");
        if (lockedCheckpoints.putIfAbsent(group, dir) != null)
            throw new IOException("a checkpoint of group " + group + " is already locked");
        try {
            deleteTree(dir);
            long instance = store(group).copyTo(dir);
            List<String> files = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isRegularFile).forEach(p -> files.add(p.getFileName().toString()));
            }
            files.sort(null);
            return new CheckpointFiles(instance, dir, files);
        } catch (IOException | RuntimeException e) {
            lockedCheckpoints.remove(group);
            deleteTree(dir);
            throw e;
        }
    }

    @Override
    public void unlockCheckpoint(int group) {
        Path dir = lockedCheckpoints.remove(group);
        if (dir != null) {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                // the next lock deletes it again; nothing is lost by leaving it
            }
        }
    }

    @Override
    public Path dataDirectory(int group) {
        return base.resolve("group-" + group).resolve("db");
    }

    @Override
    public void close() throws IOException {
        closed = true;
        IOException failure = null;
        for (ConfigGroupStore s : stores.values()) {
            try {
                s.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        stores.clear();
        if (failure != null) throw failure;
    }

    private ConfigGroupStore store(int group) {
        if (closed) throw new IllegalStateException("config state machine is closed");
        return stores.computeIfAbsent(group, g -> {
            try {
                return new ConfigGroupStore(dataDirectory(g));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open config store of group " + g + " in " + dataDirectory(g), e);
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
