package paxos.storage.leveldb;

import java.nio.ByteBuffer;

/**
 * The index's value for one (group, instance): where the record holding the value is, its CRC
 * (checked against the file on every read), and the ballot and chosen flag. For a chosen mark
 * the location is the held accept's record; {@code ballot} and {@code chosen} come from the mark.
 */
record IndexEntry(long segment, long offset, int length, int crc, long ballot, boolean chosen) {
    static final int BYTES = 33;

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(segment).putLong(offset).putInt(length).putInt(crc)
                .putLong(ballot).put((byte) (chosen ? 1 : 0)).array();
    }

    static IndexEntry decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new IndexEntry(b.getLong(), b.getLong(), b.getInt(), b.getInt(), b.getLong(), b.get() == 1);
    }

    IndexEntry asChosen(long chosenBallot) {
        return new IndexEntry(segment, offset, length, crc, chosenBallot, true);
    }
}
