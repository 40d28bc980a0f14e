package paxos.storage.leveldb;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Chosen;
import paxos.api.spi.log.LogRecord.Promise;

/**
 * The process {@link CrashTest} kills: opens the store in {@code args[0]}, prints {@code READY},
 * then appends from {@link #GROUPS} threads (one group each, up to 32 appends in flight per
 * thread) and prints one line per acknowledged append: {@code A g i} (accept), {@code C g i}
 * (chosen mark), {@code P g b} (promise). It also moves retention along so that the cleaner runs
 * while the process dies. With {@code args[1]} = {@code small-commits} the index overlay is
 * committed to LevelDB every 200 entries or 20 ms, so kills also hit commits in progress; by
 * default (16,384 entries or a second) most kills find the overlay uncommitted. Runs until killed.
 */
public final class CrashChild {
    static final int GROUPS = 4;
    static final long KEEP_INSTANCES = 3000;
    static final String SMALL_COMMITS = "small-commits";

    private CrashChild() {}

    /** The value of instance {@code i} of group {@code g}: its length and bytes depend on both. */
    static byte[] value(int g, long i) {
        byte[] v = new byte[20 + (int) ((i * 31 + g) % 300)];
        for (int k = 0; k < v.length; k++) v[k] = (byte) (i * 7 + g * 13 + k);
        return v;
    }

    static LevelDbStoreConfig config(Path dir) {
        return LevelDbStoreConfig.defaults(dir).withCreateDirectory(true).withSegmentBytes(64 * 1024)
                .withCleanerIntervalMillis(50);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        CommitPolicy policy = args.length > 1 && args[1].equals(SMALL_COMMITS) ? new CommitPolicy(200, 20, 131_072)
                : CommitPolicy.DEFAULT;
        LevelDbLogStore store = new LevelDbLogStore(config(Path.of(args[0])), IoHook.NONE, policy);
        out.println("READY");
        for (int g = 1; g <= GROUPS; g++) {
            int group = g;
            Thread t = new Thread(() -> writeGroup(store, group, out), "child-writer-" + g);
            t.start();
        }
        Thread.currentThread().join(); // until SIGKILL
    }

    private static void writeGroup(LevelDbLogStore store, int g, PrintStream out) {
        Semaphore inFlight = new Semaphore(32);
        for (long i = store.range(g).end(); ; i++) {
            inFlight.acquireUninterruptibly();
            long instance = i;
            List<LogRecord> records = instance % 10 == 0
                    ? List.of(new Promise(g, instance), new Accept(g, instance, 1, value(g, instance)))
                    : List.of(new Accept(g, instance, 1, value(g, instance)));
            store.append(records).whenComplete((ok, e) -> {
                inFlight.release();
                if (e != null) return;
                out.println("A " + g + " " + instance);
                if (instance % 10 == 0) out.println("P " + g + " " + instance);
            });
            if (instance % 3 == 0) {
                store.append(List.of(new Chosen(g, instance, 1, value(g, instance)))).whenComplete((ok, e) -> {
                    if (e == null) out.println("C " + g + " " + instance);
                });
            }
            if (instance % 500 == 0 && instance > KEEP_INSTANCES) store.retainFrom(g, instance - KEEP_INSTANCES);
        }
    }
}
