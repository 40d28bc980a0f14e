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
import org.iq80.leveldb.CompressionType;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;
import org.iq80.leveldb.impl.Iq80DBFactory;

/**
 * The iq80 LevelDB index: keys are a one-byte kind followed by big-endian fields, so that
 * LevelDB's bytewise order is (group, instance) order. Nothing here is the only copy of a
 * durable fact: every entry can be rebuilt from the segment files, which is why ordinary writes
 * go without sync. Thread-safe (LevelDB is).
 */
final class Index implements AutoCloseable {
    private static final byte ENTRY = 'I';
    private static final byte STATE = 'G';
    private static final byte META = 'M';
    private static final byte WATERMARK = 'W';
    private static final byte SUMMARY = 'S';
    private static final byte CORRUPT = 'C';
    private static final WriteOptions SYNC = new WriteOptions().sync(true);

    private final File dir;
    private final Options options;
    private volatile DB db;

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

    static byte[] entryKey(int group, long instance) {
        return ByteBuffer.allocate(13).put(ENTRY).putInt(group).putLong(instance).array();
    }

    static byte[] stateKey(int group) {
        return ByteBuffer.allocate(5).put(STATE).putInt(group).array();
    }

    static byte[] metaKey(int group, String key) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(5 + k.length).put(META).putInt(group).put(k).array();
    }

    static byte[] watermarkKey() {
        return new byte[] {WATERMARK};
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

    IndexEntry entry(int group, long instance) {
        byte[] v = db.get(entryKey(group, instance));
        return v == null ? null : IndexEntry.decode(v);
    }

    byte[] meta(int group, String key) {
        return db.get(metaKey(group, key));
    }

    /** All meta keys and values of a group. */
    Map<String, byte[]> metas(int group) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] prefix = ByteBuffer.allocate(5).put(META).putInt(group).array();
        scan(prefix, (k, v) -> {
            out.put(new String(k, 5, k.length - 5, StandardCharsets.US_ASCII), v);
            return true;
        });
        return out;
    }

    /** The (segment, offset) up to which the index reflects the segment files, or {@code null}. */
    long[] watermark() {
        byte[] v = db.get(watermarkKey());
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

    /** Entries of {@code [from, to)} in instance order, at most {@code maxCount}. */
    List<Map.Entry<Long, IndexEntry>> entries(int group, long from, long to, int maxCount) {
        List<Map.Entry<Long, IndexEntry>> out = new ArrayList<>();
        if (maxCount <= 0 || from >= to) return out;
        byte[] start = entryKey(group, from);
        byte[] prefix = Arrays.copyOf(start, 5);
        scanFrom(start, prefix, (k, v) -> {
            long instance = ByteBuffer.wrap(k).getLong(5);
            if (instance >= to) return false;
            out.add(Map.entry(instance, IndexEntry.decode(v)));
            return out.size() < maxCount;
        });
        return out;
    }

    /** Deletes the group's entries of {@code [from, to)} in bounded batches; no sync (rebuildable). */
    void deleteEntries(int group, long from, long to) throws IOException {
        while (true) {
            List<Map.Entry<Long, IndexEntry>> chunk = entries(group, from, to, 10_000);
            if (chunk.isEmpty()) return;
            try (WriteBatch batch = db.createWriteBatch()) {
                for (Map.Entry<Long, IndexEntry> e : chunk) batch.delete(entryKey(group, e.getKey()));
                db.write(batch);
            }
            from = chunk.get(chunk.size() - 1).getKey() + 1;
        }
    }

    WriteBatch newBatch() {
        return db.createWriteBatch();
    }

    void write(WriteBatch batch) {
        db.write(batch);
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

    /** Makes every earlier index write durable (one synced write to LevelDB's log). */
    void sync() {
        db.put(watermarkKeySyncProbe(), new byte[0], SYNC);
    }

    private static byte[] watermarkKeySyncProbe() {
        return new byte[] {'Z'};
    }

    private interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    private void scan(byte[] prefix, Visitor visitor) {
        scanFrom(prefix, prefix, visitor);
    }

    private void scanFrom(byte[] start, byte[] prefix, Visitor visitor) {
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
