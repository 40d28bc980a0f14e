package paxos.plugins.kv.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.impl.Iq80DBFactory;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.KvEntry;
import paxos.plugins.kv.KvResult;

/**
 * One group's KV state in its own LevelDB directory. The effects of an instance and the
 * instance's ID are written in one LevelDB write batch, so after a crash the stored position
 * always matches the stored data: either the whole instance is there with its ID, or neither.
 * No sync is needed for that (LevelDB's log replays a prefix of the writes); the Paxos log
 * replays whatever the crash lost.
 *
 * <p>Thread-safety: {@link #apply} is called by one execution thread; {@link #get} and the
 * position getters may be called concurrently from any thread.
 */
final class KvGroupStore implements AutoCloseable {
    private static final byte DATA = 'd';
    private static final byte[] APPLIED_KEY = "mapplied".getBytes(UTF_8);
    private static final byte[] WRITES_KEY = "mwrites".getBytes(UTF_8);
    private static final byte[] STATE_SUM_KEY = "mstatesum".getBytes(UTF_8);

    private final Path directory;
    private final DB db;
    private volatile long appliedInstance;
    private long writes;
    /** Sum of {@link #entryHash} over every stored entry, kept with each write batch: see {@link #digest()}. */
    private volatile long stateSum;

    KvGroupStore(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        Options options = new Options().createIfMissing(true);
        this.db = Iq80DBFactory.factory.open(directory.toFile(), options);
        this.appliedInstance = readLong(db.get(APPLIED_KEY), -1);
        this.writes = readLong(db.get(WRITES_KEY), 0);
        byte[] sum = db.get(STATE_SUM_KEY);
        this.stateSum = sum != null ? readLong(sum, 0) : walkStateSum(); // a store from before digests: once
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
        return appliedInstance;
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
        try (Snapshot snapshot = db.getSnapshot()) {
            ReadOptions at = new ReadOptions().snapshot(snapshot);
            return new KvStateMachine.Read(decodeEntry(db.get(dataKey(key), at)), readLong(db.get(APPLIED_KEY, at), -1));
        } catch (IOException e) {
            throw new IllegalStateException("kv store snapshot failed in " + directory, e);
        }
    }

    /**
     * Applies the commands of one instance atomically together with its position.
     *
     * @param results receives one result per command, in order
     */
    void apply(long instance, Iterable<byte[]> commands, java.util.function.Consumer<KvResult> results) {
        if (instance <= appliedInstance) return; // replay of something already applied
        Map<String, Optional<KvEntry>> overlay = new HashMap<>();
        long sum = stateSum;
        try (WriteBatch batch = db.createWriteBatch()) {
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
                    sum -= entryHash(command.key(), current.get());
                    overlay.put(command.key(), Optional.empty());
                    writes++;
                    results.accept(new KvResult(KvResult.Status.APPLIED, 0));
                } else {
                    long version = ++writes;
                    batch.put(dataKey(command.key()), encodeEntry(command.value(), version));
                    KvEntry entry = new KvEntry(command.value(), version);
                    if (current.isPresent()) sum -= entryHash(command.key(), current.get());
                    sum += entryHash(command.key(), entry);
                    overlay.put(command.key(), Optional.of(entry));
                    results.accept(new KvResult(KvResult.Status.APPLIED, version));
                }
            }
            batch.put(APPLIED_KEY, longBytes(instance));
            batch.put(WRITES_KEY, longBytes(writes));
            batch.put(STATE_SUM_KEY, longBytes(sum));
            db.write(batch);
        } catch (IOException e) {
            throw new IllegalStateException("kv store write failed in " + directory, e);
        }
        stateSum = sum;
        appliedInstance = instance;
    }

    private long walkStateSum() {
        long sum = 0;
        try (DBIterator it = db.iterator()) {
            for (it.seek(new byte[] {DATA}); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                if (e.getKey()[0] != DATA) break;
                sum += hash(e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the kv store in " + directory, e);
        }
        return sum;
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

    /**
     * Writes a consistent copy of the store, as of one moment, into a new LevelDB directory
     * {@code target} (which must not exist), while {@link #apply} may keep running.
     *
     * @return the instance the copy is at
     */
    long copyTo(Path target) throws IOException {
        if (Files.exists(target)) throw new IOException("checkpoint target already exists: " + target);
        try (Snapshot snapshot = db.getSnapshot();
             DBIterator it = db.iterator(new ReadOptions().snapshot(snapshot));
             DB copy = Iq80DBFactory.factory.open(target.toFile(), new Options().createIfMissing(true).errorIfExists(true))) {
            long instance = readLong(db.get(APPLIED_KEY, new ReadOptions().snapshot(snapshot)), -1);
            it.seekToFirst();
            WriteBatch batch = copy.createWriteBatch();
            int inBatch = 0;
            while (it.hasNext()) {
                Map.Entry<byte[], byte[]> e = it.next();
                batch.put(e.getKey(), e.getValue());
                if (++inBatch == 1000) { // bounded memory whatever the store's size
                    copy.write(batch);
                    batch.close();
                    batch = copy.createWriteBatch();
                    inBatch = 0;
                }
            }
            copy.write(batch);
            batch.close();
            return instance;
        }
    }

    /** Number of keys; for status and tests. Walks the store. */
    long size() throws IOException {
        long n = 0;
        try (DBIterator it = db.iterator()) {
            for (it.seek(new byte[] {DATA}); it.hasNext(); it.next()) {
                if (it.peekNext().getKey()[0] != DATA) break;
                n++;
            }
        }
        return n;
    }

    /**
     * A digest of the data only (every key with its value and version, in key order), without
     * the applied position: replicas that executed the same writes agree on it even when one of
     * them has executed more empty or barrier instances since. Walks the store.
     *
     * @return {entries, CRC32C}
     */
    long[] dataDigest() throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long entries = 0;
        try (DBIterator it = db.iterator()) {
            for (it.seek(new byte[] {DATA}); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                if (e.getKey()[0] != DATA) break;
                crc.update(e.getKey());
                crc.update(e.getValue());
                entries++;
            }
        }
        return new long[] {entries, crc.getValue()};
    }

    /**
     * An order-independent digest of every key, value and version, to compare replicas.
     */
    long checksum() throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        try (DBIterator it = db.iterator()) {
            for (it.seekToFirst(); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                crc.update(e.getKey());
                crc.update(e.getValue());
            }
        }
        return crc.getValue();
    }

    @Override
    public void close() throws IOException {
        db.close();
    }

    private static byte[] dataKey(String key) {
        byte[] k = key.getBytes(UTF_8);
        byte[] out = new byte[k.length + 1];
        out[0] = DATA;
        System.arraycopy(k, 0, out, 1, k.length);
        return out;
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

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long readLong(byte[] bytes, long absent) {
        return bytes == null ? absent : ByteBuffer.wrap(bytes).getLong();
    }
}
