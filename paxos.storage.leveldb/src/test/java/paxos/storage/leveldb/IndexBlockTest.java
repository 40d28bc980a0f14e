package paxos.storage.leveldb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.impl.Iq80DBFactory;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogCompactedException;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogRecord.Accept;
import paxos.api.spi.log.LogRecord.Chosen;

/**
 * The index's blocks of 64 instances: the encoding, the committer's read-merge-write of partial
 * blocks, pruning of whole blocks below a retention point, and, against a model, a store whose
 * index commits every few entries so that sparse, out-of-order, re-accepted and chosen instances
 * keep straddling blocks, generations and LevelDB.
 */
class IndexBlockTest {
    private static final CommitPolicy TINY = new CommitPolicy(8, 5, 64);

    @TempDir
    Path dir;

    @Test
    void encodesSparseSlotsAndFindsEachOne() {
        IndexEntry[] slots = new IndexEntry[IndexBlock.SIZE];
        slots[0] = new IndexEntry(1, 0, 100, 7, false);
        slots[5] = new IndexEntry(3, 1L << 40, 1 << 20, 1L << 50, true);
        slots[63] = new IndexEntry(0, 9, 0, 0, true);
        byte[] block = IndexBlock.encode(slots);
        assertArrayEquals(slots, IndexBlock.decode(block));
        for (int s = 0; s < IndexBlock.SIZE; s++) assertEquals(slots[s], IndexBlock.find(block, s), "slot " + s);
        assertNull(IndexBlock.encode(new IndexEntry[IndexBlock.SIZE]));
    }

    @Test
    void commitMergesPartialBlocksAndPruningDropsOnlyWholeBlocksBelowTheRetentionPoint() throws Exception {
        try (Index index = new Index(dir, 1 << 20)) {
            commit(index, 0, 0, 10, 1); // instances 0..9 of block 0
            commit(index, 0, 10, 140, 2); // the rest of block 0, all of block 1, part of block 2
            commit(index, 0, 3, 4, 9); // re-accept of one instance inside a stored block
            for (long i = 0; i < 140; i++) {
                assertEquals(i == 3 ? 9 : i < 10 ? 1 : 2, index.entry(0, i).ballot(), "instance " + i);
            }
            assertNull(index.entry(0, 140));
            assertEquals(140, index.entries(0, 0, 1000, 1000).size());
            assertEquals(List.of(60L, 61L, 62L, 63L, 64L), index.entries(0, 60, 1000, 5).stream().map(Map.Entry::getKey).toList());

            index.deleteEntries(0, 0, 100); // blocks 0 (0..63) go; block 1 (64..127) straddles 100 and stays
            assertNull(index.entry(0, 63));
            assertEquals(2, index.entry(0, 64).ballot());
            assertEquals(140 - 64, index.entries(0, 0, 1000, 1000).size());
            // a commit over the straddling block (retention at 100) drops its dead slots
            commitWithMin(index, 0, 140, 141, 3, 100);
            commitWithMin(index, 0, 120, 121, 4, 100);
            assertNull(index.entry(0, 64));
            assertEquals(4, index.entry(0, 120).ballot());
            assertEquals(141 - 100, index.entries(0, 0, 1000, 1000).size());
            assertEquals(0, index.entries(1, 0, 1000, 1000).size(), "another group sees nothing");
        }
    }

    @Test
    void anIndexOfThePreviousFormatIsRebuiltFromTheSegments() throws Exception {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(dir).withCreateDirectory(true);
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            for (long i = 0; i < 200; i++) store.append(List.of(new Accept(1, i, 1, ("v" + i).getBytes()))).toCompletableFuture().join();
        }
        // format 2: one 'I' key per instance and the watermark under {'W', 2}; no blocks
        try (DB db = Iq80DBFactory.factory.open(dir.resolve("index").toFile(), new Options())) {
            byte[] w3 = {'W', 3};
            byte[] watermark = db.get(w3);
            db.delete(w3);
            db.put(new byte[] {'W', 2}, watermark);
            db.put(java.nio.ByteBuffer.allocate(13).put((byte) 'I').putInt(1).putLong(5).array(), new byte[] {1, 2, 3, 4});
            List<byte[]> blocks = new ArrayList<>();
            db.forEach(e -> {
                if (e.getKey()[0] == 'B') blocks.add(e.getKey());
            });
            blocks.forEach(db::delete);
        }
        try (LevelDbLogStore store = new LevelDbLogStore(config)) {
            List<InstanceRecord> all = store.readRange(1, 0, 200, 1000);
            assertEquals(200, all.size());
            for (InstanceRecord r : all) assertArrayEquals(("v" + r.instance()).getBytes(), r.value());
        }
    }

    /** What the store must answer: per instance the newest accept or chosen, frozen once chosen. */
    private record Held(long ballot, boolean chosen, byte[] value) {}

    @Test
    void aStoreCommittingEveryFewEntriesAgreesWithAModel() {
        LevelDbStoreConfig config = LevelDbStoreConfig.defaults(dir).withCreateDirectory(true)
                .withSegmentBytes(64 * 1024).withCleanerIntervalMillis(10);
        Random random = new Random(13);
        TreeMap<Long, Held> model = new TreeMap<>();
        long min = 0;
        int window = 300;
        for (int round = 0; round < 3; round++) {
            try (LevelDbLogStore store = new LevelDbLogStore(config, IoHook.NONE, TINY)) {
                check(store, model, min, min + window);
                for (int op = 0; op < 1500; op++) {
                    long instance = min + random.nextInt(window);
                    Held held = model.get(instance);
                    LogRecord record;
                    if (held != null && !held.chosen() && random.nextInt(3) == 0) {
                        record = new Chosen(1, instance, held.ballot(), held.value()); // becomes a chosen mark
                    } else if (random.nextInt(10) == 0) {
                        record = new Chosen(1, instance, 10 + random.nextInt(9), ("c" + op).getBytes()); // a ballot no accept uses
                    } else {
                        record = new Accept(1, instance, 1 + random.nextInt(9), ("a" + op).getBytes());
                    }
                    store.append(List.of(record)).toCompletableFuture().join();
                    if (held == null || !held.chosen()) {
                        boolean chosen = record instanceof Chosen;
                        model.put(instance, chosen ? new Held(((Chosen) record).ballot(), true, ((Chosen) record).value())
                                : new Held(((Accept) record).ballot(), false, ((Accept) record).value()));
                    }
                    if (op % 500 == 499) {
                        min += 90;
                        store.retainFrom(1, min);
                        model.headMap(min).clear();
                    }
                    if (op % 100 == 0) check(store, model, min, min + window);
                }
                check(store, model, min, min + window);
            }
        }
    }

    private static void check(LevelDbLogStore store, TreeMap<Long, Held> model, long min, long span) {
        List<InstanceRecord> range = store.readRange(1, min, span, (int) (span - min) + 10);
        assertEquals(new ArrayList<>(model.keySet()), range.stream().map(InstanceRecord::instance).toList());
        for (InstanceRecord r : range) {
            Held h = model.get(r.instance());
            assertEquals(h.ballot(), r.ballot(), "ballot of " + r.instance());
            assertEquals(h.chosen(), r.chosen(), "chosen flag of " + r.instance());
            assertArrayEquals(h.value(), r.value(), "value of " + r.instance());
            assertEquals(r.instance(), store.read(1, r.instance()).orElseThrow().instance());
        }
        for (long i = min; i < span; i++) assertEquals(model.containsKey(i), store.read(1, i).isPresent(), "read of " + i);
        if (min > 0) {
            final long below = min - 1;
            assertThrows(LogCompactedException.class, () -> store.read(1, below));
        }
        assertTrue(store.range(1).minRetained() <= min);
    }

    private static void commit(Index index, int group, long from, long to, long ballot) throws Exception {
        commitWithMin(index, group, from, to, ballot, 0);
    }

    private static void commitWithMin(Index index, int group, long from, long to, long ballot, long min) throws Exception {
        for (long i = from; i < to; i++) index.overlay().putEntry(group, i, new IndexEntry(1, i * 100, 90, ballot, false));
        index.commitNow(1, 0, Map.of(group, new GroupState(to, min, 0)));
    }
}
