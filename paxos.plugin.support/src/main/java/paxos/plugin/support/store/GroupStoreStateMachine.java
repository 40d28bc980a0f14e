package paxos.plugin.support.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * A state machine with one {@link GroupStore} per group under a base directory
 * ({@code <base>/group-<g>/db}), opened on first use, and checkpoints made as copies from a LevelDB
 * snapshot into {@code <base>/group-<g>/checkpoint}, so execution continues while one is shipped.
 * A subclass keeps what it derives from a group's store (counters, a running digest) in its own
 * per-group object {@code G}, made by {@link #openGroup}, and implements {@code execute}.
 *
 * <p>Threads: {@code execute} on each group's execution thread; {@link #checkpointInstance}, the
 * checkpoint calls and {@link #group} on any thread.
 *
 * @param <G> the subclass's per-group state
 */
public abstract class GroupStoreStateMachine<G extends GroupStoreStateMachine.GroupState>
        implements StateMachine, CheckpointSupport, AutoCloseable {

    /** What a subclass keeps per group; at least the store, which {@link #close} closes. */
    public interface GroupState extends AutoCloseable {
        GroupStore store();

        @Override
        default void close() throws IOException {
            store().close();
        }
    }

    private final Path base;
    private final String name;
    private final ConcurrentHashMap<Integer, G> groups = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Path> lockedCheckpoints = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param base directory holding one sub-directory per group; created when first used
     * @param name for messages ("kv", "config")
     */
    protected GroupStoreStateMachine(Path base, String name) {
        this.base = base;
        this.name = name;
    }

    /** Wraps a group's freshly opened store, reading what it needs from it. */
    protected abstract G openGroup(int group, GroupStore store) throws IOException;

    /** The group's state, opened on first use. Any thread. */
    protected final G group(int group) {
        if (closed) throw new IllegalStateException(name + " state machine is closed");
        return groups.computeIfAbsent(group, g -> {
            GroupStore store = null;
            try {
                store = GroupStore.open(dataDirectory(g));
                return openGroup(g, store);
            } catch (IOException | RuntimeException e) {
                if (store != null) closeQuietly(store);
                throw new UncheckedIOException("cannot open " + name + " store of group " + g + " in " + dataDirectory(g),
                        e instanceof IOException io ? io : new IOException(e));
            }
        });
    }

    @Override
    public long checkpointInstance(int group) {
        return group(group).store().appliedInstance();
    }

    @Override
    public CheckpointFiles lockCheckpoint(int group) throws IOException {
        Path dir = base.resolve("group-" + group).resolve("checkpoint");
        if (lockedCheckpoints.putIfAbsent(group, dir) != null)
            throw new IOException("a checkpoint of group " + group + " is already locked");
        try {
            deleteTree(dir);
            long instance = group(group).store().copyTo(dir);
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

    /** Closes every group's store; later calls fail with {@link IllegalStateException}. */
    @Override
    public void close() throws IOException {
        closed = true;
        IOException failure = null;
        for (G g : groups.values()) {
            try {
                g.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        groups.clear();
        if (failure != null) throw failure;
    }

    /** The commands' bytes of {@code batch}, in index order. */
    protected static List<byte[]> values(ExecutionBatch batch) {
        List<byte[]> values = new ArrayList<>(batch.commands().size());
        for (Command c : batch.commands()) values.add(c.value());
        return values;
    }

    /**
     * Hands the n-th result it receives to the n-th command of {@code batch}: for an apply loop
     * that produces exactly one result per command, in order. Execution thread only.
     */
    protected static <R> Consumer<R> inOrder(ExecutionBatch batch, ExecutionResults results) {
        List<Command> commands = batch.commands();
        int[] next = {0};
        return result -> results.complete(commands.get(next[0]++).index(), result);
    }

    private static void closeQuietly(GroupStore store) {
        try {
            store.close();
        } catch (IOException e) {
            // the open failed already; that failure is the one reported
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
