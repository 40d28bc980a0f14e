package paxos.storage.leveldb;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Brings the index up to date with the segment files at open. The index is written without
 * sync, so it may lag the files: its watermark says up to where it reflects them, and every
 * record after the watermark is re-read, CRC-checked and re-applied (re-applying is idempotent
 * because records are replayed in file order). A missing or inconsistent watermark means a full
 * rebuild from the first segment.
 *
 * <p>A bad record at the very end of the newest segment is a torn write: the file is cut back to
 * the last whole record, with one log line. A bad record anywhere else is corruption: its group
 * is marked corrupt (persistently; its reads fail with the file and offset) and the scan goes on.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());
    private static final int COMMIT_EVERY_RECORDS = 20_000;

    private final Segments segments;
    private final Index index;
    private final Map<Integer, GroupState> states;
    private final Map<Integer, String> corrupt;
    private final int maxPayloadBytes;
    private IndexBatch changes;
    private int uncommitted;
    /** True if the newest segment must not be appended to (garbage in it that is not a torn tail). */
    boolean newestSegmentDamaged;

    Recovery(Segments segments, Index index, Map<Integer, GroupState> states, Map<Integer, String> corrupt, int maxValueBytes) {
        this.segments = segments;
        this.index = index;
        this.states = states;
        this.corrupt = corrupt;
        this.maxPayloadBytes = maxValueBytes + 8 + 1 + 128 + 65_536;
    }

    void run() throws IOException {
        List<Segment> all = segments.all();
        long[] watermark = index.watermark();
        if (!all.isEmpty() && !watermarkValid(watermark)) {
            LOG.log(Level.WARNING, "index of " + all.get(0).path.getParent() + " is missing or behind the files; rebuilding it from "
                    + all.size() + " segment file(s)");
            index.destroyAndReopen();
            watermark = new long[] {all.get(0).id, 0};
        }
        Map<Long, SegmentSummary> stored = index.summaries();
        states.putAll(index.states());
        corrupt.putAll(index.corruptMarks());
        changes = new IndexBatch(index, states);
        for (Segment seg : all) {
            long applyFrom = seg.id < watermark[0] ? Long.MAX_VALUE : seg.id == watermark[0] ? watermark[1] : 0;
            SegmentSummary summary = stored.get(seg.id);
            if (summary != null && applyFrom == Long.MAX_VALUE) {
                seg.summary.maxInstanceByGroup.putAll(summary.maxInstanceByGroup);
                seg.summary.stateGroups.addAll(summary.stateGroups);
            } else {
                scan(seg, applyFrom, seg == all.get(all.size() - 1));
            }
        }
    }

    private boolean watermarkValid(long[] watermark) {
        if (watermark == null) return false;
        Segment seg = segments.get(watermark[0]);
        return seg != null && seg.size >= watermark[1];
    }

    private void scan(Segment seg, long applyFrom, boolean newest) throws IOException {
        SegmentReader in = new SegmentReader(seg);
        long pos = 0;
        while (pos < seg.size) {
            long remaining = seg.size - pos;
            ByteBuffer header = remaining >= RecordFormat.HEADER_BYTES ? in.read(pos, RecordFormat.HEADER_BYTES) : null;
            int length = header == null ? -1 : RecordFormat.payloadLength(header);
            if (header == null || length < 0 || length > maxPayloadBytes || RecordFormat.HEADER_BYTES + length > remaining) {
                boolean tornWrite = header != null && length >= 0 && length <= maxPayloadBytes || header == null;
                if (newest && (tornWrite || in.allZeroFrom(pos))) truncate(seg, pos);
                else unreadable(seg, pos, newest);
                break;
            }
            int total = RecordFormat.HEADER_BYTES + length;
            ByteBuffer record = in.read(pos, total);
            Op op = RecordFormat.crc(record, 0, total) == RecordFormat.storedCrc(record) ? RecordFormat.decode(record, false) : null;
            if (op == null) {
                if (newest && (pos + total == seg.size || in.allZeroFrom(pos))) {
                    truncate(seg, pos);
                    break;
                }
                markCorrupt(header.getInt(4), "record at " + seg + " offset " + pos + " fails its checksum (group "
                        + header.getInt(4) + ", instance " + header.getLong(8) + ")");
            } else {
                if (op.type() == RecordType.META) op = RecordFormat.decode(record, true);
                seg.summary.add(op);
                if (pos >= applyFrom) apply(op, new IndexEntry(seg.id, pos, total, 0, false), seg, pos);
            }
            pos += total;
        }
        if (applyFrom != Long.MAX_VALUE) commit(seg.id, seg.size);
    }

    private void apply(Op op, IndexEntry location, Segment seg, long pos) throws IOException {
        String contradiction = changes.apply(op, location);
        if (contradiction != null) markCorrupt(op.group(), contradiction + " (" + seg + " offset " + pos + ")");
        if (++uncommitted >= COMMIT_EVERY_RECORDS) commit(seg.id, pos + location.length());
    }

    private void commit(long segment, long offset) throws IOException {
        changes.publish();
        index.commitNow(segment, offset, states);
        changes = new IndexBatch(index, states);
        uncommitted = 0;
    }

    private void truncate(Segment seg, long pos) throws IOException {
        LOG.log(Level.WARNING, "truncating torn record at the tail of " + seg + ": offset " + pos + ", "
                + (seg.size - pos) + " bytes dropped");
        seg.channel.truncate(pos);
        seg.channel.force(true);
        seg.size = pos;
    }

    private void unreadable(Segment seg, long pos, boolean newest) {
        String what = "unreadable data in " + seg + " from offset " + pos + " (bad record length); the rest of the file is skipped";
        LOG.log(Level.ERROR, what + "; groups with records in it are marked corrupt");
        for (int g : seg.summary.groups()) markCorrupt(g, what);
        if (newest) newestSegmentDamaged = true;
    }

    private void markCorrupt(int group, String message) {
        if (corrupt.putIfAbsent(group, message) == null) {
            LOG.log(Level.ERROR, "group " + group + " is corrupt: " + message);
            index.putCorruptMark(group, message);
        }
    }

    /** Sequential reads of a segment through a 1 MiB window. */
    private static final class SegmentReader {
        private final Segment seg;
        private ByteBuffer window = ByteBuffer.allocate(0);
        private long windowStart;

        SegmentReader(Segment seg) {
            this.seg = seg;
        }

        ByteBuffer read(long pos, int length) throws IOException {
            if (pos < windowStart || pos + length > windowStart + window.limit()) {
                if (length > (1 << 20)) return seg.read(pos, length);
                windowStart = pos;
                window = seg.read(pos, (int) Math.min(1 << 20, seg.size - pos));
            }
            int from = (int) (pos - windowStart);
            return window.duplicate().position(from).limit(from + length).slice();
        }

        boolean allZeroFrom(long pos) throws IOException {
            for (long p = pos; p < seg.size; p += 1 << 20) {
                ByteBuffer b = seg.read(p, (int) Math.min(1 << 20, seg.size - p));
                while (b.hasRemaining()) if (b.get() != 0) return false;
            }
            return true;
        }
    }
}
