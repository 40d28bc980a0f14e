package paxos.storage.leveldb;

import java.nio.charset.StandardCharsets;
import paxos.api.spi.log.LogRecord;

/**
 * One record as the writer and recovery handle it: the {@link LogRecord}s of the SPI plus the
 * store's own {@link RecordType#RETAIN}. {@code value} is {@code null} when recovery did not need it.
 */
record Op(RecordType type, int group, long instance, long ballot, String key, byte[] value) {

    /** Converts and validates an SPI record; throws IllegalArgumentException before anything is queued. */
    static Op of(LogRecord record, int maxValueBytes) {
        if (record.group() < 0) throw new IllegalArgumentException("group must be >= 0: " + record);
        if (record instanceof LogRecord.Promise p) {
            return new Op(RecordType.PROMISE, p.group(), 0, p.ballot(), null, null);
        } else if (record instanceof LogRecord.Accept a) {
            checkInstance(a.instance(), a.value(), maxValueBytes, a.group());
            return new Op(RecordType.ACCEPT, a.group(), a.instance(), a.ballot(), null, a.value());
        } else if (record instanceof LogRecord.Chosen c) {
            checkInstance(c.instance(), c.value(), maxValueBytes, c.group());
            return new Op(RecordType.CHOSEN, c.group(), c.instance(), c.ballot(), null, c.value());
        } else if (record instanceof LogRecord.Meta m) {
            for (int i = 0; i < m.key().length(); i++) {
                if (m.key().charAt(i) > 127) throw new IllegalArgumentException("meta key must be ASCII: " + m.key());
            }
            return new Op(RecordType.META, m.group(), 0, 0, m.key(), m.value());
        }
        throw new IllegalArgumentException("unknown record type: " + record);
    }

    static Op retain(int group, long minInstance) {
        return new Op(RecordType.RETAIN, group, minInstance, 0, null, null);
    }

    private static void checkInstance(long instance, byte[] value, int maxValueBytes, int group) {
        if (instance < 0) throw new IllegalArgumentException("instance must be >= 0: group " + group + " instance " + instance);
        if (value.length > maxValueBytes) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds maxValueBytes "
                    + maxValueBytes + " (group " + group + ", instance " + instance + ")");
        }
    }

    /** Payload bytes of this record in a segment file. */
    int payloadBytes() {
        return switch (type) {
            case PROMISE, CHOSEN_MARK -> 8;
            case ACCEPT, CHOSEN -> 8 + value.length;
            case META -> 1 + key.length() + value.length;
            case RETAIN -> 0;
        };
    }

    Op asChosenMark() {
        return new Op(RecordType.CHOSEN_MARK, group, instance, ballot, null, null);
    }

    byte[] keyBytes() {
        return key.getBytes(StandardCharsets.US_ASCII);
    }
}
