package paxos.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.SyncPolicy;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;

/**
 * A simulated node's durable log on the production LevelDB store, in a directory of its own: real
 * segment files and a real index. A write waits for the store's completion; a simulated crash
 * closes the store and opens the same directory again, which runs the store's recovery.
 * Deterministic for the simulation: every call completes before returning. No fsync (the
 * simulator decides durability), small segments so that files roll over.
 */
final class LogStoreDurable implements SimStore.DurableLog {
    private static final int READ_STEP = 4096;
    private final Path directory;
    private LogStore store;

    LogStoreDurable(Path directory) {
        this.directory = directory;
        this.store = open();
    }

    private LogStore open() {
        LevelDbStoreConfig d = LevelDbStoreConfig.defaults(directory);
        return new LevelDbLogStore(new LevelDbStoreConfig(directory, true, SyncPolicy.NONE, d.maxValueBytes(), 64 << 10,
                d.writeQueueRecordsMax(), d.writeQueueBytesMax(), d.batchBytesMax(), d.indexCacheBytes(),
                d.cleanerIntervalMillis()));
    }

    @Override
    public void write(List<LogRecord> records) {
        store.append(records).toCompletableFuture().join();
    }

    @Override
    public long promised(int group) {
        return store.promisedBallot(group);
    }

    @Override
    public List<InstanceRecord> records(int group, long from, long to, int max) {
        List<InstanceRecord> out = new ArrayList<>();
        long start = Math.max(from, store.range(group).minRetained());
        long end = Math.min(to, store.range(group).end());
        while (start < end && out.size() < max) {
            List<InstanceRecord> chunk = store.readRange(group, start, end, Math.min(READ_STEP, max - out.size()));
            if (chunk.isEmpty()) break;
            out.addAll(chunk);
            start = chunk.get(chunk.size() - 1).instance() + 1;
        }
        return out;
    }

    /**
     * The production store deletes in whole files and may lag; {@link SimStore} keeps its own
     * minimum and never asks below it, so what the simulation sees does not depend on that lag.
     */
    @Override
    public void retainFrom(int group, long min) {
        store.retainFrom(group, min);
    }

    @Override
    public void crash() {
        store.close();
        store = open();
    }

    /** Closes the store, deletes its directory and opens an empty one there. */
    @Override
    public void wipe() {
        store.close();
        try (var files = java.nio.file.Files.walk(directory)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        store = open();
    }

    @Override
    public void close() {
        store.close();
    }
}
