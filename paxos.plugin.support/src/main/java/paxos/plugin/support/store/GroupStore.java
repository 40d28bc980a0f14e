package paxos.plugin.support.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.impl.Iq80DBFactory;

/**
 * One group's state in its own LevelDB directory. {@link #apply} writes the effects of an instance
 * and the instance's ID in one LevelDB write batch, so after a crash the stored position always
 * matches the stored data: either the whole instance is there with its ID, or neither — the
 * {@link paxos.api.statemachine.StateMachine#checkpointInstance} contract. No sync is needed for
 * that (LevelDB's log replays a prefix of the writes); the Paxos log replays what a crash lost.
 *
 * <p>Keys are bytes chosen by the plugin; the key {@value #POSITION_KEY} (ASCII) is the store's own.
 *
 * <p>Threads: {@link #apply} from one thread at a time (the group's execution thread); reads,
 * {@link #read}, {@link #scan} and {@link #copyTo} from any thread, concurrently with it (a write
 * batch becomes visible whole). A reading thread's pending interrupt is held back while LevelDB
 * reads (and restored): it would otherwise close a table file for every later reader.
 */
public final class GroupStore implements AutoCloseable {
    /** The key under which the applied instance is stored (8 bytes, big-endian). */
    public static final String POSITION_KEY = "mapplied";
    private static final byte[] POSITION = POSITION_KEY.getBytes(UTF_8);
    private static final int COPY_BATCH = 1000;

    private final Path directory;
    private final DB db;
    private volatile long appliedInstance;

    private GroupStore(Path directory, DB db) {
        this.directory = directory;
        this.db = db;
        this.appliedInstance = decodeLong(db.get(POSITION), -1);
    }

    /** Opens (creating if missing) the store in {@code directory}. */
    public static GroupStore open(Path directory) throws IOException {
        Files.createDirectories(directory);
        return new GroupStore(directory, Iq80DBFactory.factory.open(directory.toFile(), new Options().createIfMissing(true)));
    }

    /** The directory the store lives in. */
    public Path directory() {
        return directory;
    }

    /** The highest instance whose effects are all in the store, or {@code -1}. */
    public long appliedInstance() {
        return appliedInstance;
    }

    /** The value under {@code key}, or null. */
    public byte[] get(byte[] key) {
        return quietly(() -> db.get(key));
    }

    /** The long under {@code key} (written with {@link Batch#putLong}), or {@code absent}. */
    public long getLong(byte[] key, long absent) {
        return decodeLong(quietly(() -> db.get(key)), absent);
    }

    /** The writes of one instance, made visible together with its position by {@link #apply}. */
    public interface Batch {
        void put(byte[] key, byte[] value);

        void delete(byte[] key);

        default void putLong(byte[] key, long value) {
            put(key, encodeLong(value));
        }
    }

    /** What an instance does to the store: writes into the batch, reads the store as before the instance. */
    @FunctionalInterface
    public interface Update {
        void apply(Batch batch) throws IOException;
    }

    /**
     * Applies one instance: runs {@code update} and writes its batch together with the position
     * {@code instance}. Ignores (returns false, without running {@code update}) an instance at or
     * below the applied one: a replay of what the store holds.
     *
     * @throws UncheckedIOException if LevelDB fails; nothing of the instance is then stored
     */
    public boolean apply(long instance, Update update) {
        if (instance <= appliedInstance) return false;
        try (WriteBatch batch = db.createWriteBatch()) {
            update.apply(new Batch() {
                @Override
                public void put(byte[] key, byte[] value) {
                    batch.put(key, value);
                }

                @Override
                public void delete(byte[] key) {
                    batch.delete(key);
                }
            });
            batch.put(POSITION, encodeLong(instance));
            db.write(batch);
        } catch (IOException e) {
            throw new UncheckedIOException("store write failed in " + directory, e);
        }
        appliedInstance = instance;
        return true;
    }

    /** A consistent view of the store as of one moment, for {@link #read}. */
    public interface View {
        byte[] get(byte[] key);

        /** The position the view is at. */
        long appliedInstance();
    }

    /** Runs {@code reader} on one LevelDB snapshot: the values and the position it sees belong together. */
    public <T> T read(Function<View, T> reader) {
        try (Snapshot snapshot = db.getSnapshot()) {
            ReadOptions at = new ReadOptions().snapshot(snapshot);
            return reader.apply(new View() {
                @Override
                public byte[] get(byte[] key) {
                    return quietly(() -> db.get(key, at));
                }

                @Override
                public long appliedInstance() {
                    return decodeLong(quietly(() -> db.get(POSITION, at)), -1);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("store snapshot failed in " + directory, e);
        }
    }

    /** Receives the entries of a {@link #scan}; returns false to stop. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    /**
     * Visits, in key order, every entry whose key starts with {@code prefix} (empty: every entry,
     * the position included). Walks the store: for digests and listings, not per command.
     */
    public void scan(byte[] prefix, Visitor visitor) {
        quietly(() -> {
            walk(prefix, visitor);
            return null;
        });
    }

    private void walk(byte[] prefix, Visitor visitor) {
        try (DBIterator it = db.iterator()) {
            if (prefix.length == 0) it.seekToFirst();
            else it.seek(prefix);
            while (it.hasNext()) {
                Map.Entry<byte[], byte[]> e = it.next();
                if (!startsWith(e.getKey(), prefix) || !visitor.visit(e.getKey(), e.getValue())) break;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the store in " + directory, e);
        }
    }

    /**
     * Runs a LevelDB read with the calling thread's interrupt status held back (restored after).
     * Why: the platform runs iq80 with {@code leveldb.mmap=false}, so it reads its table files
     * through {@code FileChannel}s, which close themselves when a thread reading them is
     * interrupted; iq80 keeps the closed table in its cache, and every later read of that file
     * (compactions too) failed. An interrupt that arrives during the read itself can still do that.
     */
    private static <T> T quietly(java.util.function.Supplier<T> read) {
        boolean interrupted = Thread.interrupted();
        try {
            return read.get();
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * A CRC32C of every key and value (the plugin's and the position), in key order: equal on
     * replicas whose stores hold the same entries. Walks the store.
     */
    public long checksum() {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        scan(new byte[0], (k, v) -> {
            crc.update(k);
            crc.update(v);
            return true;
        });
        return crc.getValue();
    }

    /**
     * Writes a consistent copy of the store, as of one moment, into a new LevelDB directory
     * {@code target} (which must not exist), while {@link #apply} may keep running. Memory is
     * bounded whatever the store's size.
     *
     * @return the instance the copy is at
     */
    public long copyTo(Path target) throws IOException {
        if (Files.exists(target)) throw new IOException("checkpoint target already exists: " + target);
        try (Snapshot snapshot = db.getSnapshot();
             DBIterator it = db.iterator(new ReadOptions().snapshot(snapshot));
             DB copy = Iq80DBFactory.factory.open(target.toFile(), new Options().createIfMissing(true).errorIfExists(true))) {
            long instance = decodeLong(db.get(POSITION, new ReadOptions().snapshot(snapshot)), -1);
            WriteBatch batch = copy.createWriteBatch();
            int inBatch = 0;
            for (it.seekToFirst(); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                batch.put(e.getKey(), e.getValue());
                if (++inBatch == COPY_BATCH) {
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

    @Override
    public void close() throws IOException {
        db.close();
    }

    /** {@code prefix} followed by the UTF-8 bytes of {@code key}. */
    public static byte[] key(byte prefix, String key) {
        byte[] k = key.getBytes(UTF_8);
        byte[] out = new byte[k.length + 1];
        out[0] = prefix;
        System.arraycopy(k, 0, out, 1, k.length);
        return out;
    }

    /** 8 bytes, big-endian. */
    public static byte[] encodeLong(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /** The inverse of {@link #encodeLong}; {@code absent} for null. */
    public static long decodeLong(byte[] bytes, long absent) {
        return bytes == null ? absent : ByteBuffer.wrap(bytes).getLong();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (key[i] != prefix[i]) return false;
        return true;
    }
}
