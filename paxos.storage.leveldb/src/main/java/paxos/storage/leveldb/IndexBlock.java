package paxos.storage.leveldb;

import java.nio.ByteBuffer;

/**
 * The LevelDB value holding the {@link IndexEntry}s of one group's {@link #SIZE} consecutive
 * instances (those whose instance {@code >>> SHIFT} is the block number).
 *
 * <p>Why blocks: one LevelDB entry per instance made the background index commit and LevelDB's
 * compaction the store's largest CPU consumers (JFR of {@code bench storage} at 64 writers: about
 * two thirds of the store's samples, most in iq80's memtable skip-list key comparisons), while
 * instances arrive in order and are read in ranges. A block costs one key, one skip-list insert
 * and one compaction entry for up to 64 instances.
 *
 * <p>Format: for each held instance, in increasing order, its slot ({@code instance & MASK}) as
 * one byte followed by the entry's four varints ({@link IndexEntry#writeTo}). Missing slots are
 * simply absent. Immutable once encoded; the committer rewrites a whole block to change it.
 */
final class IndexBlock {
    static final int SHIFT = 6;
    static final int SIZE = 1 << SHIFT;
    static final int MASK = SIZE - 1;

    private IndexBlock() {}

    static long blockOf(long instance) {
        return instance >>> SHIFT;
    }

    /** The slots' entries ({@code null} = absent) encoded; {@code null} if every slot is absent. */
    static byte[] encode(IndexEntry[] slots) {
        ByteBuffer b = ByteBuffer.allocate(SIZE * (1 + IndexEntry.MAX_BYTES));
        for (int slot = 0; slot < SIZE; slot++) {
            if (slots[slot] == null) continue;
            b.put((byte) slot);
            slots[slot].writeTo(b);
        }
        if (b.position() == 0) return null;
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Every slot of an encoded block, {@code null} where absent. */
    static IndexEntry[] decode(byte[] block) {
        IndexEntry[] slots = new IndexEntry[SIZE];
        ByteBuffer b = ByteBuffer.wrap(block);
        while (b.hasRemaining()) {
            int slot = b.get() & 0xFF;
            slots[slot] = IndexEntry.readFrom(b);
        }
        return slots;
    }

    /** The entry of one slot, or {@code null}; decodes only up to it. */
    static IndexEntry find(byte[] block, int slot) {
        ByteBuffer b = ByteBuffer.wrap(block);
        while (b.hasRemaining()) {
            int s = b.get() & 0xFF;
            if (s == slot) return IndexEntry.readFrom(b);
            if (s > slot) return null;
            IndexEntry.skip(b);
        }
        return null;
    }
}
