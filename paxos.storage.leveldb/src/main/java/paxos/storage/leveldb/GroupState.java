package paxos.storage.leveldb;

import java.nio.ByteBuffer;

/**
 * A group's small durable state, kept in memory and in the index: one past the highest instance
 * held, the minimum retained instance, and the highest promise.
 */
record GroupState(long end, long minRetained, long promise) {
    static final GroupState EMPTY = new GroupState(0, 0, 0);

    byte[] encode() {
        return ByteBuffer.allocate(24).putLong(end).putLong(minRetained).putLong(promise).array();
    }

    static GroupState decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new GroupState(b.getLong(), b.getLong(), b.getLong());
    }
}
