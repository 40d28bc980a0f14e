package paxos.storage.leveldb;

import java.nio.ByteBuffer;

/**
 * The index's value for one (group, instance): where the record holding the value is, and the
 * ballot and chosen flag. For a chosen mark the location is the held accept's record; the mark only
 * exists for the accept's own ballot, so {@code ballot} always equals the ballot in that record.
 * No CRC here: reads check the record's own CRC and its group and instance.
 *
 * <p>In LevelDB it is stored as four unsigned varints (segment, offset, length * 2 + chosen,
 * ballot): about 10 bytes for a 64 MiB segment and a small round, which keeps the index under a
 * quarter of a 100-byte record.
 */
record IndexEntry(long segment, long offset, int length, long ballot, boolean chosen) {
    static final int MAX_BYTES = 4 * 10;

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(MAX_BYTES);
        writeTo(b);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Appends the four varints at {@code b}'s position (at most {@link #MAX_BYTES}). */
    void writeTo(ByteBuffer b) {
        putVarint(b, segment);
        putVarint(b, offset);
        putVarint(b, ((long) length << 1) | (chosen ? 1 : 0));
        putVarint(b, ballot);
    }

    static IndexEntry decode(byte[] bytes) {
        return readFrom(ByteBuffer.wrap(bytes));
    }

    /** Reads an entry written by {@link #writeTo} at {@code b}'s position, advancing it. */
    static IndexEntry readFrom(ByteBuffer b) {
        long segment = getVarint(b);
        long offset = getVarint(b);
        long lengthAndChosen = getVarint(b);
        long ballot = getVarint(b);
        return new IndexEntry(segment, offset, (int) (lengthAndChosen >>> 1), ballot, (lengthAndChosen & 1) == 1);
    }

    IndexEntry asChosen(long chosenBallot) {
        return new IndexEntry(segment, offset, length, chosenBallot, true);
    }

    /** Advances {@code b} past one entry without building it. */
    static void skip(ByteBuffer b) {
        for (int i = 0; i < 4; i++) getVarint(b);
    }

    private static void putVarint(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    private static long getVarint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) return v;
        }
    }
}
