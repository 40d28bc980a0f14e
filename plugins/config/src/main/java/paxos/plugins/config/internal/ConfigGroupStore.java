package paxos.plugins.config.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.impl.Iq80DBFactory;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigEntry;
import paxos.plugins.config.ConfigProperties;
import paxos.plugins.config.ConfigResult;
import paxos.plugins.config.ConfigResult.Status;

/**
 * One group's config store in its own LevelDB directory. The effects of an instance and the
 * instance's ID are written in one LevelDB write batch, so after a crash the stored position
 * always matches the stored data; the Paxos log replays whatever the crash lost.
 *
 * <p>Layout: {@code 'd' + pid -> version:i64 + canonical properties}; meta keys for the applied
 * instance, the write counter (the source of versions) and the number of PIDs.
 *
 * <p>Thread-safety: {@link #apply} is called by one execution thread; reads may run concurrently
 * from any thread (LevelDB reads are thread-safe, and a batch becomes visible whole).
 */
final class ConfigGroupStore implements AutoCloseable {
    private static final byte DATA = 'd';
    private static final byte[] APPLIED_KEY = "mapplied".getBytes(UTF_8);
    private static final byte[] WRITES_KEY = "mwrites".getBytes(UTF_8);
    private static final byte[] COUNT_KEY = "mcount".getBytes(UTF_8);

    private final Path directory;
    private final DB db;
    private volatile long appliedInstance;
    private long writes;
    private long count;

    ConfigGroupStore(Path directory) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        this.db = Iq80DBFactory.factory.open(directory.toFile(), new Options().createIfMissing(true));
        this.appliedInstance = readLong(db.get(APPLIED_KEY), -1);
        this.writes = readLong(db.get(WRITES_KEY), 0);
        this.count = readLong(db.get(COUNT_KEY), 0);
    }

    /** Highest instance whose commands are all in the store, or -1. */
    long appliedInstance() {
        return appliedInstance;
    }

    /** The entry stored under {@code pid}, if any. */
    Optional<ConfigEntry> get(String pid) {
        return decodeEntry(pid, db.get(dataKey(pid)));
    }

    /** Every stored PID with its version, in PID order. Bounded by {@link ConfigCommand#MAX_ENTRIES}. */
    SortedMap<String, Long> versions() {
        TreeMap<String, Long> out = new TreeMap<>();
        try (DBIterator it = db.iterator()) {
            for (it.seek(new byte[] {DATA}); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                if (e.getKey()[0] != DATA) break;
                out.put(new String(e.getKey(), 1, e.getKey().length - 1, US_ASCII), ByteBuffer.wrap(e.getValue()).getLong());
            }
        } catch (IOException e) {
            throw new IllegalStateException("config store read failed in " + directory, e);
        }
        return out;
    }

    /**
     * Applies the commands of one instance atomically together with its position. Ignores an
     * instance at or below the applied one (replay).
     *
     * @param results receives one result per command, in order
     * @return the PIDs changed by applied writes, in execution order (a PID may repeat); empty
     *     for a replayed instance
     */
    List<String> apply(long instance, Iterable<byte[]> commands, Consumer<ConfigResult> results) {
        if (instance <= appliedInstance) return List.of();
        List<String> changed = new ArrayList<>();
        Map<String, Optional<Long>> overlay = new HashMap<>(); // versions written earlier in this batch
        long newCount = count;
        long newWrites = writes;
        try (WriteBatch batch = db.createWriteBatch()) {
            for (byte[] bytes : commands) {
                ConfigCommand command;
                try {
                    command = ConfigCommand.decode(bytes);
                } catch (IllegalArgumentException e) {
                    results.accept(new ConfigResult(Status.INVALID_COMMAND, 0, e.getMessage()));
                    continue;
                }
                String pid = command.pid();
                Optional<Long> current = overlay.containsKey(pid) ? overlay.get(pid) : storedVersion(pid);
                long currentVersion = current.orElse(0L);
                if (command.expectedVersion() != ConfigCommand.ANY_VERSION && command.expectedVersion() != currentVersion) {
                    results.accept(ConfigResult.of(Status.VERSION_MISMATCH, currentVersion));
                    continue;
                }
                if (command.op() == ConfigCommand.Op.DELETE) {
                    if (current.isEmpty()) {
                        results.accept(ConfigResult.of(Status.NOT_FOUND, 0));
                        continue;
                    }
                    batch.delete(dataKey(pid));
                    overlay.put(pid, Optional.empty());
                    newWrites++;
                    newCount--;
                    results.accept(ConfigResult.of(Status.APPLIED, 0));
                } else {
                    if (current.isEmpty() && newCount >= ConfigCommand.MAX_ENTRIES) {
                        results.accept(ConfigResult.of(Status.STORE_FULL, 0));
                        continue;
                    }
                    long version = ++newWrites;
                    if (current.isEmpty()) newCount++;
                    batch.put(dataKey(pid), encodeEntry(version, ConfigProperties.encode(command.properties())));
                    overlay.put(pid, Optional.of(version));
                    results.accept(ConfigResult.of(Status.APPLIED, version));
                }
                changed.add(pid);
            }
            batch.put(APPLIED_KEY, longBytes(instance));
            batch.put(WRITES_KEY, longBytes(newWrites));
            batch.put(COUNT_KEY, longBytes(newCount));
            db.write(batch);
        } catch (IOException e) {
            throw new IllegalStateException("config store write failed in " + directory, e);
        }
        writes = newWrites;
        count = newCount;
        appliedInstance = instance;
        return changed;
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
            WriteBatch batch = copy.createWriteBatch();
            int inBatch = 0;
            for (it.seekToFirst(); it.hasNext(); ) {
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

    /** A digest of every stored key and value (data and meta), to compare replicas. */
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

    private Optional<Long> storedVersion(String pid) {
        byte[] stored = db.get(dataKey(pid));
        return stored == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(stored).getLong());
    }

    private static byte[] dataKey(String pid) {
        byte[] k = pid.getBytes(US_ASCII);
        byte[] out = new byte[k.length + 1];
        out[0] = DATA;
        System.arraycopy(k, 0, out, 1, k.length);
        return out;
    }

    private static byte[] encodeEntry(long version, byte[] properties) {
        return ByteBuffer.allocate(8 + properties.length).putLong(version).put(properties).array();
    }

    private Optional<ConfigEntry> decodeEntry(String pid, byte[] stored) {
        if (stored == null) return Optional.empty();
        long version = ByteBuffer.wrap(stored).getLong();
        try {
            return Optional.of(new ConfigEntry(pid, ConfigProperties.decode(Arrays.copyOfRange(stored, 8, stored.length)), version));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("corrupt config entry " + pid + " in " + directory + ": " + e.getMessage());
        }
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static long readLong(byte[] bytes, long absent) {
        return bytes == null ? absent : ByteBuffer.wrap(bytes).getLong();
    }
}
