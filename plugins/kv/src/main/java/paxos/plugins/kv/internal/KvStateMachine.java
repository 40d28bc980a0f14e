package paxos.plugins.kv.internal;

import java.nio.file.Path;
import java.util.Optional;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.plugin.support.store.GroupStore;
import paxos.plugin.support.store.GroupStoreStateMachine;
import paxos.plugins.kv.KvEntry;

/**
 * The KV state machine: one {@link KvGroupStore} per group under a base directory
 * ({@code <base>/group-<g>/db}). Checkpoints are copies made from a LevelDB snapshot into
 * {@code <base>/group-<g>/checkpoint}, so execution continues while a checkpoint is shipped
 * (both from {@link GroupStoreStateMachine}).
 *
 * <p>Threads: {@link #execute} on each group's execution thread; reads and checkpoint calls on
 * any thread.
 */
public final class KvStateMachine extends GroupStoreStateMachine<KvGroupStore> implements DigestSupport {

    /** @param base directory holding one sub-directory per group; created if missing */
    public KvStateMachine(Path base) {
        super(base, "kv");
    }

    @Override
    protected KvGroupStore openGroup(int group, GroupStore store) {
        return new KvGroupStore(store);
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        store(batch.group()).apply(batch.instance(), values(batch), inOrder(batch, results));
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
        return store(group).checksum();
    }

    /**
     * The group's data digest as executed locally: its number of entries and a CRC32C over every
     * key, value and version in key order. Unlike {@link #checksum} it leaves out the applied
     * position, so replicas that executed the same writes agree. Thread-safe; walks the store.
     *
     * @return {entries, crc32c}
     */
    public long[] dataDigest(int group) {
        return store(group).dataDigest();
    }

    private KvGroupStore store(int group) {
        return group(group);
    }
}
