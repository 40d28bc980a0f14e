package paxos.api.spi.log;

import java.util.Objects;

/**
 * One durable change to a group's Paxos state, as the engine hands it to {@link LogStore#append}.
 * Values are opaque bytes to the store (the engine's encoded batch) and are not copied: the
 * caller must not modify them after the call.
 */
public sealed interface LogRecord {

    /** The group this record belongs to, {@code >= 0}. */
    int group();

    /**
     * The acceptor promised not to accept any ballot lower than {@code ballot}, in any instance
     * of the group not yet chosen. Promises only grow; the store keeps the highest.
     */
    record Promise(int group, long ballot) implements LogRecord {}

    /**
     * The acceptor accepted {@code value} at {@code ballot} for {@code instance}. Replaces any
     * earlier accept of the same instance.
     */
    record Accept(int group, long instance, long ballot, byte[] value) implements LogRecord {
        /** Requires a value. */
        public Accept {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * {@code value} is chosen for {@code instance} (it was accepted at {@code ballot} by a
     * quorum). Final: once written, the instance's value never changes. Since a ballot carries
     * one value per instance, a store that already holds an {@link Accept} of the same instance
     * at the same ballot may record this as a small mark without the bytes.
     */
    record Chosen(int group, long instance, long ballot, byte[] value) implements LogRecord {
        /** Requires a value. */
        public Chosen {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Small per-group engine metadata (membership, master history, cluster identity). Replaces
     * the previous value of the key; an empty {@code value} deletes it.
     *
     * @param key ASCII, 1..64 characters
     * @param value at most 64 KiB
     */
    record Meta(int group, String key, byte[] value) implements LogRecord {
        /** Validates the key and the size. */
        public Meta {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isEmpty() || key.length() > 64) throw new IllegalArgumentException("meta key must be 1..64 chars: " + key);
            if (value.length > 65_536) throw new IllegalArgumentException("meta value over 64 KiB: " + key);
        }
    }
}
