package paxos.plugins.kv.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.plugins.kv.KvEntry;

/**
 * The KV state machine: one {@link KvGroupStore} per group under a base directory
 * ({@code <base>/group-<g>/db}). Checkpoints are copies made from a LevelDB snapshot into
 * {@code <base>/group-<g>/checkpoint}, so execution continues while a checkpoint is shipped.
 *
 * <p>Threads: {@link #execute} on each group's execution thread; reads and checkpoint calls on
 * any thread.
 */
public final class KvStateMachine implements StateMachine, CheckpointSupport, DigestSupport, AutoCloseable {
    private final Path base;
    private final ConcurrentHashMap<Integer, KvGroupStore> stores = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Path> lockedCheckpoints = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param base directory holding one sub-directory per group; created if missing */
    public KvStateMachine(Path base) {
        this.base = base;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        List<byte[]> values = new ArrayList<>(batch.commands().size());
        for (Command c : batch.commands()) values.add(c.value());
        List<Command> commands = batch.commands();
        int[] next = {0};
        store(batch.group()).apply(batch.instance(), values,
                result -> results.complete(commands.get(next[0]++).index(), result));
    }

    @Override
    public long checkpointInstance(int group) {
        return store(group).appliedInstance();
    }

    /** O(1): an order-independent hash of every entry, kept up to date by each write (see {@link KvGroupStore#digest()}). */
    @Override
    public long digest(int group, long instance) {
        return store(group).digest();
    }

    /** The entry under {@code key} in {@code group}, as executed locally. Thread-safe. */
    public Optional<KvEntry> get(int group, String key) {
        return store(group).get(key);
    }

    /**
     * A read of one key as executed locally, with the group's executed instance it was read at.
     *
     * @param entry the entry, empty if the key was absent at {@code instance}
     * @param instance the highest instance applied to the group's store when the key was read
     *     ({@code -1} before any)
     */
    public record Read(Optional<KvEntry> entry, long instance) {}

    /** The entry under {@code key} in {@code group} and the instance it was read at. Thread-safe. */
    public Read read(int group, String key) {
        return store(group).read(key);
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
     * The group's data digest as executed locally: its number of entries and a CRC32C over every
     * key, value and version in key order. Unlike {@link #checksum} it leaves out the applied
     * position, so replicas that executed the same writes agree. Thread-safe; walks the store.
     *
     * @return {entries, crc32c}
     */
    public long[] dataDigest(int group) {
        try {
            return store(group).dataDigest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        for (KvGroupStore s : stores.values()) {
            try {
                s.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        stores.clear();
        if (failure != null) throw failure;
    }

    private KvGroupStore store(int group) {
        if (closed) throw new IllegalStateException("kv state machine is closed");
        return stores.computeIfAbsent(group, g -> {
            try {
                return new KvGroupStore(dataDirectory(g));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open kv store of group " + g + " in " + dataDirectory(g), e);
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
