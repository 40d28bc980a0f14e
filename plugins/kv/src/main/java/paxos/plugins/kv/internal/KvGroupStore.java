package paxos.plugins.kv.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import paxos.plugin.support.store.GroupStore;
import paxos.plugin.support.store.GroupStoreStateMachine;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.KvEntry;
import paxos.plugins.kv.KvResult;

/**
 * One group's KV state in its own {@link GroupStore} (which writes the effects of an instance and
 * the instance's ID atomically), with the write counter and running digest kept beside it.
 *
 * <p>Thread-safety: {@link #apply} is called by one execution thread; {@link #get} and the
 * position getters may be called concurrently from any thread.
 */
final class KvGroupStore implements GroupStoreStateMachine.GroupState {
    private static final byte DATA = 'd';
    private static final byte[] WRITES_KEY = "mwrites".getBytes(UTF_8);
    private static final byte[] STATE_SUM_KEY = "mstatesum".getBytes(UTF_8);

    private final GroupStore db;
    private long writes;
    /** Sum of {@link #entryHash} over every stored entry, kept with each write batch: see {@link #digest()}. */
    private volatile long stateSum;

    KvGroupStore(GroupStore db) {
        this.db = db;
        this.writes = db.getLong(WRITES_KEY, 0);
        byte[] sum = db.get(STATE_SUM_KEY);
        this.stateSum = sum != null ? GroupStore.decodeLong(sum, 0) : walkStateSum(); // a store from before digests: once
    }

    @Override
    public GroupStore store() {
        return db;
    }

    /**
     * The digest of the data and write counter after the last applied instance: an
     * order-independent sum of a 64-bit hash of every (key, stored entry), plus the write counter,
     * so it is a function of the state alone (equal after replay, restart or checkpoint install,
     * whatever path led there) and costs O(1) here and O(command) per write.
     */
    long digest() {
        return stateSum + mix(writes);
    }

    /** Highest instance whose commands are all in the store, or -1. */
    long appliedInstance() {
        return db.appliedInstance();
    }

    /** The entry stored under {@code key}, if any. */
    Optional<KvEntry> get(String key) {
        return decodeEntry(db.get(dataKey(key)));
    }

    /**
     * The entry under {@code key} together with the applied instance it belongs to, both read
     * from one LevelDB snapshot: the pair is what the store held after that instance, even while
     * {@link #apply} runs. Any thread.
     */
    KvStateMachine.Read read(String key) {
        return db.read(view -> new KvStateMachine.Read(decodeEntry(view.get(dataKey(key))), view.appliedInstance()));
    }

    /**
     * Applies the commands of one instance atomically together with its position.
     *
     * @param results receives one result per command, in order
     */
    void apply(long instance, Iterable<byte[]> commands, java.util.function.Consumer<KvResult> results) {
        long[] sum = {stateSum};
        long[] newWrites = {writes};
        boolean applied = db.apply(instance, batch -> {
            Map<String, Optional<KvEntry>> overlay = new HashMap<>();
            for (byte[] bytes : commands) {
                KvCommand command;
                try {
                    command = KvCommand.decode(bytes);
                } catch (IllegalArgumentException e) {
                    results.accept(new KvResult(KvResult.Status.INVALID_COMMAND, 0));
                    continue;
                }
                Optional<KvEntry> current = overlay.containsKey(command.key())
                        ? overlay.get(command.key()) : get(command.key());
                long currentVersion = current.map(KvEntry::version).orElse(0L);
                if (command.expectedVersion() != KvCommand.ANY_VERSION && command.expectedVersion() != currentVersion) {
                    results.accept(new KvResult(KvResult.Status.VERSION_MISMATCH, currentVersion));
                    continue;
                }
                if (command.op() == KvCommand.Op.DELETE) {
                    if (current.isEmpty()) {
                        results.accept(new KvResult(KvResult.Status.NOT_FOUND, 0));
                        continue;
                    }
                    batch.delete(dataKey(command.key()));
                    sum[0] -= entryHash(command.key(), current.get());
                    overlay.put(command.key(), Optional.empty());
                    newWrites[0]++;
                    results.accept(new KvResult(KvResult.Status.APPLIED, 0));
                } else {
                    long version = ++newWrites[0];
                    batch.put(dataKey(command.key()), encodeEntry(command.value(), version));
                    KvEntry entry = new KvEntry(command.value(), version);
                    if (current.isPresent()) sum[0] -= entryHash(command.key(), current.get());
                    sum[0] += entryHash(command.key(), entry);
                    overlay.put(command.key(), Optional.of(entry));
                    results.accept(new KvResult(KvResult.Status.APPLIED, version));
                }
            }
            batch.putLong(WRITES_KEY, newWrites[0]);
            batch.putLong(STATE_SUM_KEY, sum[0]);
        });
        if (!applied) return; // replay of something already applied
        writes = newWrites[0];
        stateSum = sum[0];
    }

    private long walkStateSum() {
        long[] sum = {0};
        db.scan(new byte[] {DATA}, (k, v) -> {
            sum[0] += hash(k, v);
            return true;
        });
        return sum[0];
    }

    private static long entryHash(String key, KvEntry entry) {
        return hash(dataKey(key), encodeEntry(entry.value(), entry.version()));
    }

    /** FNV-1a over the key, a separator and the stored entry, then a 64-bit finaliser (splitmix64). */
    private static long hash(byte[] key, byte[] stored) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        h = (h ^ 0x100) * 0x100000001b3L; // (key, value) pairs never collide by moving bytes across the border
        for (byte b : stored) h = (h ^ (b & 0xff)) * 0x100000001b3L;
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Number of keys; for status and tests. Walks the store. */
    long size() {
        long[] n = {0};
        db.scan(new byte[] {DATA}, (k, v) -> ++n[0] > 0);
        return n[0];
    }

    /**
     * A digest of the data only (every key with its value and version, in key order), without
     * the applied position: replicas that executed the same writes agree on it even when one of
     * them has executed more empty or barrier instances since. Walks the store.
     *
     * @return {entries, CRC32C}
     */
    long[] dataDigest() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long[] entries = {0};
        db.scan(new byte[] {DATA}, (k, v) -> {
            crc.update(k);
            crc.update(v);
            return ++entries[0] > 0;
        });
        return new long[] {entries[0], crc.getValue()};
    }

    /** A digest of every stored key and value (data and meta), to compare replicas. Walks the store. */
    long checksum() {
        return db.checksum();
    }

    private static byte[] dataKey(String key) {
        return GroupStore.key(DATA, key);
    }

    private static byte[] encodeEntry(byte[] value, long version) {
        return ByteBuffer.allocate(8 + value.length).putLong(version).put(value).array();
    }

    private static Optional<KvEntry> decodeEntry(byte[] stored) {
        if (stored == null) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(stored);
        long version = b.getLong();
        byte[] value = new byte[b.remaining()];
        b.get(value);
        return Optional.of(new KvEntry(value, version));
    }
}
