package paxos.storage.leveldb;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.spi.log.LogStore;
import paxos.testkit.LogStoreContract;

/** The SPI contract against real files and a real LevelDB, with small segments so that files roll. */
class LevelDbLogStoreContractTest extends LogStoreContract {
    @TempDir
    Path temp;

    private final Map<LogStore, Path> dirs = new IdentityHashMap<>();
    private int count;

    @Override
    protected LogStore createStore() {
        Path dir = temp.resolve("store-" + count++);
        LevelDbLogStore store = new LevelDbLogStore(config(dir));
        dirs.put(store, dir);
        return store;
    }

    @Override
    protected LogStore reopenStore(LogStore store) {
        store.close();
        Path dir = dirs.get(store);
        LevelDbLogStore again = new LevelDbLogStore(config(dir));
        dirs.put(again, dir);
        return again;
    }

    static LevelDbStoreConfig config(Path dir) {
        return LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withSegmentBytes(4096)
                .withMaxValueBytes(64 * 1024).withCleanerIntervalMillis(20);
    }
}
