package paxos.plugins.config.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import paxos.plugin.support.store.GroupStore;
import paxos.plugin.support.store.GroupStoreStateMachine;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigEntry;
import paxos.plugins.config.ConfigProperties;
import paxos.plugins.config.ConfigResult;
import paxos.plugins.config.ConfigResult.Status;

/**
 * One group's config store in its own {@link GroupStore}, which writes the effects of an instance
 * and the instance's ID atomically; the Paxos log replays whatever a crash lost.
 *
 * <p>Layout: {@code 'd' + pid -> version:i64 + canonical properties}; meta keys for the applied
 * instance, the write counter (the source of versions) and the number of PIDs.
 *
 * <p>Thread-safety: {@link #apply} is called by one execution thread; reads may run concurrently
 * from any thread (LevelDB reads are thread-safe, and a batch becomes visible whole).
 */
final class ConfigGroupStore implements GroupStoreStateMachine.GroupState {
    private static final byte DATA = 'd';
    private static final byte[] WRITES_KEY = "mwrites".getBytes(UTF_8);
    private static final byte[] COUNT_KEY = "mcount".getBytes(UTF_8);

    private final GroupStore db;
    private long writes;
    private long count;

    ConfigGroupStore(GroupStore db) {
        this.db = db;
        this.writes = db.getLong(WRITES_KEY, 0);
        this.count = db.getLong(COUNT_KEY, 0);
    }

    @Override
    public GroupStore store() {
        return db;
    }

    /** Highest instance whose commands are all in the store, or -1. */
    long appliedInstance() {
        return db.appliedInstance();
    }

    /** The entry stored under {@code pid}, if any. */
    Optional<ConfigEntry> get(String pid) {
        return decodeEntry(pid, db.get(dataKey(pid)));
    }

    /** Every stored PID with its version, in PID order. Bounded by {@link ConfigCommand#MAX_ENTRIES}. */
    SortedMap<String, Long> versions() {
        TreeMap<String, Long> out = new TreeMap<>();
        db.scan(new byte[] {DATA}, (k, v) -> {
            out.put(new String(k, 1, k.length - 1, US_ASCII), ByteBuffer.wrap(v).getLong());
            return true;
        });
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
        List<String> changed = new ArrayList<>();
        long[] newCount = {count};
        long[] newWrites = {writes};
        boolean applied = db.apply(instance, batch -> {
            Map<String, Optional<Long>> overlay = new HashMap<>(); // versions written earlier in this batch
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
                    newWrites[0]++;
                    newCount[0]--;
                    results.accept(ConfigResult.of(Status.APPLIED, 0));
                } else {
                    if (current.isEmpty() && newCount[0] >= ConfigCommand.MAX_ENTRIES) {
                        results.accept(ConfigResult.of(Status.STORE_FULL, 0));
                        continue;
                    }
                    long version = ++newWrites[0];
                    if (current.isEmpty()) newCount[0]++;
                    batch.put(dataKey(pid), encodeEntry(version, ConfigProperties.encode(command.properties())));
                    overlay.put(pid, Optional.of(version));
                    results.accept(ConfigResult.of(Status.APPLIED, version));
                }
                changed.add(pid);
            }
            batch.putLong(WRITES_KEY, newWrites[0]);
            batch.putLong(COUNT_KEY, newCount[0]);
        });
        if (!applied) return List.of();
        writes = newWrites[0];
        count = newCount[0];
        return changed;
    }

    /** A digest of every stored key and value (data and meta), to compare replicas. Walks the store. */
    long checksum() {
        return db.checksum();
    }

    private Optional<Long> storedVersion(String pid) {
        byte[] stored = db.get(dataKey(pid));
        return stored == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(stored).getLong());
    }

    private static byte[] dataKey(String pid) {
        return GroupStore.key(DATA, pid); // PIDs are ASCII: UTF-8 gives the same bytes
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
            throw new IllegalStateException("corrupt config entry " + pid + " in " + db.directory() + ": " + e.getMessage());
        }
    }
}
