package paxos.storage.leveldb;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.iq80.leveldb.CompressionType;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;
import org.iq80.leveldb.impl.Iq80DBFactory;

/**
 * The index: the in-memory {@link Overlay} of changes not yet committed, over an iq80 LevelDB whose
 * keys are a one-byte kind followed by big-endian fields, so that LevelDB's bytewise order is
 * (group, instance) order; instances' entries are kept in blocks of 64 ({@link IndexBlock}), which
 * the committer rewrites whole (read, merge, write: only it writes them). Reads consult the overlay first. Nothing here is the only copy of a
 * durable fact: every entry can be rebuilt from the segment files, which is why writes go
 * without sync and the overlay may be lost in a crash (recovery replays the files after the
 * watermark). Thread-safe (LevelDB is; see {@link Overlay} for the overlay).
 */
final class Index implements AutoCloseable {
    /** Blocks of entries ({@link IndexBlock}); format 2 had one 'I' key per instance. */
    private static final byte BLOCK = 'B';
    private static final byte STATE = 'G';
    private static final byte META = 'M';
    /** The watermark key carries the entry format's version: an index of another format has none, and is rebuilt. */
    private static final byte[] WATERMARK_KEY = {'W', 3};
    private static final byte SUMMARY = 'S';
    private static final byte CORRUPT = 'C';
    private static final WriteOptions SYNC = new WriteOptions().sync(true);

    static {
        // iq80 writes its log through a memory map by default; on a full disk a store into a mapped
        // page that cannot be allocated is a SIGBUS (an InternalError at a random later access), not an
        // IOException. Its plain FileChannel writer fails cleanly, and with bulk commits it is just as fast.
        if (System.getProperty("leveldb.mmap") == null) System.setProperty("leveldb.mmap", "false");
    }

    private final File dir;
    private final Options options;
    private final Overlay overlay = new Overlay();
    private volatile DB db;
    /** The states and watermark segment of the last generation committed to LevelDB (for the cleaner). */
    private volatile Map<Integer, GroupState> committedStates = Map.of();
    private volatile long committedSegment;

    Index(Path dir, long cacheBytes) throws IOException {
        this.dir = dir.toFile();
        this.options = new Options().createIfMissing(true).compressionType(CompressionType.NONE)
                .cacheSize(cacheBytes).writeBufferSize(4 << 20).verifyChecksums(true).paranoidChecks(false);
        this.db = Iq80DBFactory.factory.open(this.dir, options);
    }

    /** Throws the index away and starts an empty one (recovery then rebuilds it from the segments). */
    void destroyAndReopen() throws IOException {
        db.close();
        Iq80DBFactory.factory.destroy(dir, options);
        db = Iq80DBFactory.factory.open(dir, options);
    }

    static byte[] blockKey(int group, long block) {
        return ByteBuffer.allocate(13).put(BLOCK).putInt(group).putLong(block).array();
    }

    static byte[] stateKey(int group) {
        return ByteBuffer.allocate(5).put(STATE).putInt(group).array();
    }

    static byte[] metaKey(int group, String key) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(5 + k.length).put(META).putInt(group).put(k).array();
    }

    static byte[] watermarkKey() {
        return WATERMARK_KEY.clone();
    }

    static byte[] watermarkValue(long segment, long offset) {
        return ByteBuffer.allocate(16).putLong(segment).putLong(offset).array();
    }

    private static byte[] summaryKey(long segment) {
        return ByteBuffer.allocate(9).put(SUMMARY).putLong(segment).array();
    }

    private static byte[] corruptKey(int group) {
        return ByteBuffer.allocate(5).put(CORRUPT).putInt(group).array();
    }

    Overlay overlay() {
        return overlay;
    }

    IndexEntry entry(int group, long instance) {
        IndexEntry e = overlay.entry(group, instance);
        if (e != null) return e;
        byte[] v = get(blockKey(group, IndexBlock.blockOf(instance)));
        return v == null ? null : IndexBlock.find(v, (int) (instance & IndexBlock.MASK));
    }

    /**
     * {@code db.get} with the calling thread's interrupt status held back meanwhile (restored
     * after). Why: with {@code leveldb.mmap=false} iq80 reads its table files through
     * {@code FileChannel}s, which close themselves when a thread reading them is interrupted, and
     * it keeps the closed table open in its cache: every later lookup in that file failed with
     * {@code ClosedChannelException} (seen with a reader whose interrupt was pending). An interrupt
     * that arrives during the read itself can still do that; reads are short.
     */
    private byte[] get(byte[] key) {
        return quietly(() -> db.get(key));
    }

    /** Runs a LevelDB read with the calling thread's interrupt status held back (restored after); see {@link #get}. */
    private static <T> T quietly(java.util.function.Supplier<T> read) {
        boolean interrupted = Thread.interrupted();
        try {
            return read.get();
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** A meta value, or {@code null} if absent. */
    byte[] meta(int group, String key) {
        byte[] v = overlay.meta(group, key);
        if (v == null) v = get(metaKey(group, key));
        return v == null || v.length == 0 ? null : v;
    }

    /** All meta keys and values of a group. */
    Map<String, byte[]> metas(int group) {
        List<Overlay.Generation> newest = overlay.newestFirst(); // before LevelDB: see Overlay
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] prefix = ByteBuffer.allocate(5).put(META).putInt(group).array();
        scan(prefix, (k, v) -> {
            out.put(new String(k, 5, k.length - 5, StandardCharsets.US_ASCII), v);
            return true;
        });
        for (int i = newest.size() - 1; i >= 0; i--) out.putAll(newest.get(i).metas.getOrDefault(group, Map.of()));
        out.values().removeIf(v -> v.length == 0);
        return out;
    }

    /** The (segment, offset) up to which the index reflects the segment files, or {@code null}. */
    long[] watermark() {
        byte[] v = get(watermarkKey());
        if (v == null) return null;
        ByteBuffer b = ByteBuffer.wrap(v);
        return new long[] {b.getLong(), b.getLong()};
    }

    Map<Integer, GroupState> states() {
        Map<Integer, GroupState> out = new HashMap<>();
        scan(new byte[] {STATE}, (k, v) -> {
            out.put(ByteBuffer.wrap(k).getInt(1), GroupState.decode(v));
            return true;
        });
        return out;
    }

    Map<Long, SegmentSummary> summaries() {
        Map<Long, SegmentSummary> out = new HashMap<>();
        scan(new byte[] {SUMMARY}, (k, v) -> {
            out.put(ByteBuffer.wrap(k).getLong(1), SegmentSummary.decode(v));
            return true;
        });
        return out;
    }

    Map<Integer, String> corruptMarks() {
        Map<Integer, String> out = new HashMap<>();
        scan(new byte[] {CORRUPT}, (k, v) -> {
            out.put(ByteBuffer.wrap(k).getInt(1), new String(v, StandardCharsets.UTF_8));
            return true;
        });
        return out;
    }

    /** Entries of {@code [from, to)} in instance order, at most {@code maxCount}: overlay over LevelDB. */
    List<Map.Entry<Long, IndexEntry>> entries(int group, long from, long to, int maxCount) {
        if (maxCount <= 0 || from >= to) return new ArrayList<>();
        List<Overlay.Generation> newest = overlay.newestFirst(); // before LevelDB: see Overlay
        List<List<Map.Entry<Long, IndexEntry>>> layers = new ArrayList<>();
        for (Overlay.Generation g : newest) {
            ConcurrentSkipListMap<Long, IndexEntry> m = g.entries.get(group);
            if (m == null) continue;
            layers.add(m.subMap(from, to).entrySet().stream().limit(maxCount).map(e -> Map.entry(e.getKey(), e.getValue())).toList());
        }
        List<Map.Entry<Long, IndexEntry>> stored = storedEntries(group, from, to, maxCount);
        if (layers.isEmpty()) return stored;
        // the first maxCount keys of the union lie within the first maxCount of each layer
        TreeMap<Long, IndexEntry> merged = new TreeMap<>();
        for (Map.Entry<Long, IndexEntry> e : stored) merged.put(e.getKey(), e.getValue());
        for (int i = layers.size() - 1; i >= 0; i--) for (Map.Entry<Long, IndexEntry> e : layers.get(i)) merged.put(e.getKey(), e.getValue());
        List<Map.Entry<Long, IndexEntry>> out = new ArrayList<>(Math.min(maxCount, merged.size()));
        for (Map.Entry<Long, IndexEntry> e : merged.entrySet()) {
            if (out.size() == maxCount) break;
            out.add(e);
        }
        return out;
    }

    private List<Map.Entry<Long, IndexEntry>> storedEntries(int group, long from, long to, int maxCount) {
        List<Map.Entry<Long, IndexEntry>> out = new ArrayList<>();
        byte[] start = blockKey(group, IndexBlock.blockOf(from));
        byte[] prefix = Arrays.copyOf(start, 5);
        scanFrom(start, prefix, (k, v) -> {
            long base = ByteBuffer.wrap(k).getLong(5) << IndexBlock.SHIFT;
            if (base >= to) return false;
            IndexEntry[] slots = IndexBlock.decode(v);
            for (int slot = 0; slot < IndexBlock.SIZE; slot++) {
                long instance = base + slot;
                if (slots[slot] == null || instance < from) continue;
                if (instance >= to) return false;
                out.add(Map.entry(instance, slots[slot]));
                if (out.size() == maxCount) return false;
            }
            return true;
        });
        return out;
    }

    /**
     * Deletes the group's LevelDB blocks that lie wholly below {@code to}, looking from the block of
     * {@code from} (the caller's previous {@code to}: everything below that block is gone already),
     * in bounded batches; no sync (rebuildable). A block straddling {@code to} stays: reads never ask
     * below the retention point, and the next commit that rewrites the block drops its dead slots.
     * Never races the committer: it writes no block wholly below a committed retention point.
     */
    void deleteEntries(int group, long from, long to) throws IOException {
        long endBlock = IndexBlock.blockOf(to); // exclusive: the block holding 'to' may straddle it
        long block = IndexBlock.blockOf(from);
        while (block < endBlock) {
            List<Long> chunk = new ArrayList<>();
            byte[] start = blockKey(group, block);
            scanFrom(start, Arrays.copyOf(start, 5), (k, v) -> {
                long b = ByteBuffer.wrap(k).getLong(5);
                if (b >= endBlock) return false;
                chunk.add(b);
                return chunk.size() < 10_000;
            });
            if (chunk.isEmpty()) return;
            try (WriteBatch batch = db.createWriteBatch()) {
                for (long b : chunk) batch.delete(blockKey(group, b));
                db.write(batch);
            }
            block = chunk.get(chunk.size() - 1) + 1;
        }
    }

    /**
     * Writes a sealed generation to LevelDB in one write batch without sync: its entries (except
     * those below their group's retention point, which are dead), metas, group states and the
     * watermark, then drops it from the overlay.
     *
     * @return the bytes of keys and values written
     */
    long commit(Overlay.Generation g) throws IOException {
        long bytes = 0;
        try (WriteBatch batch = db.createWriteBatch()) {
            for (Map.Entry<Integer, ConcurrentSkipListMap<Long, IndexEntry>> group : g.entries.entrySet()) {
                long min = g.states.getOrDefault(group.getKey(), GroupState.EMPTY).minRetained();
                bytes += commitBlocks(batch, group.getKey(), group.getValue().tailMap(min), min);
            }
            for (Map.Entry<Integer, Map<String, byte[]>> group : g.metas.entrySet()) {
                for (Map.Entry<String, byte[]> m : group.getValue().entrySet()) {
                    byte[] key = metaKey(group.getKey(), m.getKey());
                    if (m.getValue().length == 0) batch.delete(key);
                    else batch.put(key, m.getValue());
                    bytes += key.length + m.getValue().length;
                }
            }
            g.states.forEach((group, s) -> batch.put(stateKey(group), s.encode()));
            batch.put(watermarkKey(), watermarkValue(g.segment, g.offset));
            db.write(batch);
            bytes += g.states.size() * 29L + 18;
        }
        committedStates = g.states;
        committedSegment = g.segment;
        overlay.committed(g);
        return bytes;
    }

    /**
     * Adds the blocks holding {@code entries} (in instance order) to {@code batch}, each merged over
     * the block LevelDB holds unless the generation fills it, without slots below {@code min}.
     * Only the committer thread writes blocks, so the read-merge-write cannot lose an update.
     */
    private long commitBlocks(WriteBatch batch, int group, SortedMap<Long, IndexEntry> entries, long min) {
        long bytes = 0;
        IndexEntry[] slots = new IndexEntry[IndexBlock.SIZE];
        long block = -1;
        int filled = 0;
        for (Map.Entry<Long, IndexEntry> e : entries.entrySet()) {
            long b = IndexBlock.blockOf(e.getKey());
            if (b != block) {
                if (block >= 0) bytes += putBlock(batch, group, block, slots, filled, min);
                block = b;
                filled = 0;
                Arrays.fill(slots, null);
            }
            slots[(int) (e.getKey() & IndexBlock.MASK)] = e.getValue();
            filled++;
        }
        if (block >= 0) bytes += putBlock(batch, group, block, slots, filled, min);
        return bytes;
    }

    private long putBlock(WriteBatch batch, int group, long block, IndexEntry[] newer, int filled, long min) {
        byte[] key = blockKey(group, block);
        if (filled < IndexBlock.SIZE) {
            byte[] held = db.get(key);
            if (held != null) {
                IndexEntry[] older = IndexBlock.decode(held);
                for (int slot = 0; slot < IndexBlock.SIZE; slot++) if (newer[slot] == null) newer[slot] = older[slot];
            }
        }
        long base = block << IndexBlock.SHIFT;
        for (int slot = 0; slot < IndexBlock.SIZE && base + slot < min; slot++) newer[slot] = null;
        byte[] v = IndexBlock.encode(newer);
        if (v == null) {
            batch.delete(key);
            return key.length;
        }
        batch.put(key, v);
        return key.length + v.length;
    }

    /** Seals the overlay at a position and commits it at once (recovery; nothing else may seal meanwhile). */
    long commitNow(long segment, long offset, Map<Integer, GroupState> states) throws IOException {
        Overlay.Generation g = overlay.seal(segment, offset, Map.copyOf(states));
        if (g == null) throw new IllegalStateException("a generation is already being committed");
        return commit(g);
    }

    /** The group states as last committed to LevelDB (entries below their retention points are gone or dead there). */
    Map<Integer, GroupState> committedStates() {
        return committedStates;
    }

    /** The segment of the committed watermark: every older segment is wholly reflected in LevelDB. */
    long committedSegment() {
        return committedSegment;
    }

    void putSummary(long segment, SegmentSummary summary) {
        db.put(summaryKey(segment), summary.encode());
    }

    void deleteSummary(long segment) {
        db.delete(summaryKey(segment));
    }

    /** Synced: a corruption mark must not be forgotten, since the scan that found it will not run again. */
    void putCorruptMark(int group, String message) {
        db.put(corruptKey(group), message.getBytes(StandardCharsets.UTF_8), SYNC);
    }

    private interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    private void scan(byte[] prefix, Visitor visitor) {
        scanFrom(prefix, prefix, visitor);
    }

    /** Visits keys from {@code start} while they start with {@code prefix}; the interrupt status is held back as in {@link #get}. */
    private void scanFrom(byte[] start, byte[] prefix, Visitor visitor) {
        quietly(() -> {
            walk(start, prefix, visitor);
            return null;
        });
    }

    private void walk(byte[] start, byte[] prefix, Visitor visitor) {
        try (DBIterator it = db.iterator()) {
            it.seek(start);
            while (it.hasNext()) {
                Map.Entry<byte[], byte[]> e = it.next();
                if (!startsWith(e.getKey(), prefix) || !visitor.visit(e.getKey(), e.getValue())) return;
            }
        } catch (IOException e) {
            throw new org.iq80.leveldb.DBException(e);
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (key[i] != prefix[i]) return false;
        return true;
    }

    @Override
    public void close() throws IOException {
        db.close();
    }
}
