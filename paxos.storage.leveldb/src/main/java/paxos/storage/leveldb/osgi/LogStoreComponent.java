package paxos.storage.leveldb.osgi;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.spi.log.SyncPolicy;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;

/**
 * Registers a {@link LevelDbLogStore} as the node's {@link LogStore} service once ConfigAdmin holds
 * a configuration for PID {@value #PID} (at least {@code dataDirectory}); closes it on
 * deactivation, so a changed configuration reopens the store. The engine component holds a static
 * reference to it: SCR deactivates the engine before this store closes and activates it again on
 * the reopened one.
 */
@Component(service = LogStore.class, configurationPid = LogStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = LogStoreComponent.Config.class)
public final class LogStoreComponent implements LogStore {
    /** The configuration PID. */
    public static final String PID = "paxos.storage.leveldb";
    private static final System.Logger LOG = System.getLogger(LogStoreComponent.class.getName());

    /** The Metatype form of {@link LevelDbStoreConfig}. */
    @ObjectClassDefinition(name = "Paxos log storage (LevelDB)", description = "Durable Paxos log: segment files, LevelDB index, group commit")
    public @interface Config {
        @AttributeDefinition(description = "Data directory (one store per directory)")
        String dataDirectory();

        @AttributeDefinition(description = "Create the directory if missing (only for a brand-new node)")
        boolean createDirectory() default false;

        @AttributeDefinition(description = "SYNC (default) or NONE (tests only: loses acknowledged writes on a machine crash); any case",
                options = {@Option(label = "SYNC: group commit, durable (default)", value = "SYNC"),
                        @Option(label = "NONE: no fsync, tests and benchmarks only", value = "NONE")})
        String syncPolicy() default "SYNC";

        // the engine needs its batchBytesMax (default 4 MiB) plus 4 KiB: the default leaves room
        @AttributeDefinition(description = "Largest value of one record, bytes; the engine needs its batchBytesMax plus 4 KiB")
        int maxValueBytes() default 8 << 20;

        @AttributeDefinition(description = "Segment file size, bytes")
        long segmentBytes() default 64L << 20;

        @AttributeDefinition(description = "Write queue bound, records")
        int writeQueueRecordsMax() default 100_000;

        @AttributeDefinition(description = "Write queue bound, bytes")
        long writeQueueBytesMax() default 64L << 20;

        @AttributeDefinition(description = "Bytes per group-commit batch")
        int batchBytesMax() default 1 << 20;

        @AttributeDefinition(description = "LevelDB block cache, bytes")
        long indexCacheBytes() default 8L << 20;

        @AttributeDefinition(description = "Retention cleaner interval, milliseconds")
        long cleanerIntervalMillis() default 1_000;
    }

    private final LevelDbLogStore store;
    private final String directory;

    /** Opens the store; a failure fails the activation with the store's message. */
    @Activate
    public LogStoreComponent(Config c) {
        this.directory = c.dataDirectory();
        try {
            this.store = new LevelDbLogStore(new LevelDbStoreConfig(Path.of(c.dataDirectory()), c.createDirectory(),
                    syncPolicy(c.syncPolicy()), c.maxValueBytes(), c.segmentBytes(), c.writeQueueRecordsMax(),
                    c.writeQueueBytesMax(), c.batchBytesMax(), c.indexCacheBytes(), c.cleanerIntervalMillis()));
        } catch (RuntimeException e) {
            // SCR reports activation failures only to the OSGi Log Service, which prints nothing
            LOG.log(System.Logger.Level.ERROR, "{0} configuration rejected, the log store is not open: {1}", PID, e.getMessage());
            throw e;
        }
        // the settings in effect, so that an operator (and StoreReconfigurationIT) can tell a saved form took hold
        LOG.log(System.Logger.Level.INFO, "log store open: {0} (sync {1}, segmentBytes {2}, indexCacheBytes {3}, "
                + "cleanerIntervalMillis {4})", c.dataDirectory(), c.syncPolicy(), Long.toString(c.segmentBytes()),
                Long.toString(c.indexCacheBytes()), Long.toString(c.cleanerIntervalMillis()));
    }

    /** A policy name in any case (node files have said {@code sync}). */
    static SyncPolicy syncPolicy(String text) {
        try {
            return SyncPolicy.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("syncPolicy must be SYNC or NONE: " + text);
        }
    }

    @Deactivate
    void deactivate() {
        store.close();
        LOG.log(System.Logger.Level.INFO, "log store closed: {0}", directory);
    }

    @Override
    public CompletionStage<Void> append(List<LogRecord> records) {
        return store.append(records);
    }

    @Override
    public Optional<InstanceRecord> read(int group, long instance) {
        return store.read(group, instance);
    }

    @Override
    public List<InstanceRecord> readRange(int group, long from, long to, int maxCount) {
        return store.readRange(group, from, to, maxCount);
    }

    @Override
    public long promisedBallot(int group) {
        return store.promisedBallot(group);
    }

    @Override
    public Optional<byte[]> meta(int group, String key) {
        return store.meta(group, key);
    }

    @Override
    public LogRange range(int group) {
        return store.range(group);
    }

    @Override
    public void retainFrom(int group, long minInstance) {
        store.retainFrom(group, minInstance);
    }

    @Override
    public void pauseCleaning() {
        store.pauseCleaning();
    }

    @Override
    public void resumeCleaning() {
        store.resumeCleaning();
    }

    @Override
    public int maxValueBytes() {
        return store.maxValueBytes();
    }

    @Override
    public LogStoreStats stats() {
        return store.stats();
    }

    @Override
    public void observeSyncs(paxos.api.spi.log.SyncObserver observer) {
        store.observeSyncs(observer);
    }

    /** Closing is the component's lifecycle (deactivation); a client's close() is ignored. */
    @Override
    public void close() {
        // the service is shared: only deactivation closes the store
    }
}
