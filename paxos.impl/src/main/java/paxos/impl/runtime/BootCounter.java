package paxos.impl.runtime;

import java.nio.ByteBuffer;

/**
 * This node's boot counter, kept durably as group 0 metadata (key {@value #KEY}; the log store's,
 * or the simulator's disk: {@link RequestIds.Metadata}),
 * and the request ID layout built on it: the high {@value #BOOT_BITS} bits (below the sign bit)
 * are the boot counter, the low {@value #SEQUENCE_BITS} bits a sequence starting at 1 for each
 * incarnation. Request IDs of one node are therefore unique across restarts deterministically
 * (not by chance, as a random base per incarnation was) and grow with every incarnation, which
 * lets execution keep a per-proposer window of executed IDs. A checkpoint install rewrites only the {@code exec}
 * metadata of its group, so the counter survives it.
 *
 * <p><b>Threads.</b> Called once per engine start, before any group runs. <b>Failures.</b> A
 * store that cannot write the new counter durably throws: the engine must not start with IDs it
 * may have used before.
 */
final class BootCounter {
    static final String KEY = "boot";
    static final int SEQUENCE_BITS = 40;
    static final int BOOT_BITS = 63 - SEQUENCE_BITS;

    private BootCounter() {
    }

    /** Reads the previous counter (0 if none), stores and returns the next one (durably, before returning). */
    static long next(RequestIds.Metadata meta) {
        long next = stored(meta) + 1;
        store(meta, next);
        return next;
    }

    /** The first request ID of incarnation {@code boot} ({@code 1..2^BOOT_BITS-1}). */
    static long firstRequestId(long boot) {
        return (boot << SEQUENCE_BITS) + 1;
    }

    /** The boot counter (high bits) of {@code requestId}. */
    static long bootOf(long requestId) {
        return requestId >>> SEQUENCE_BITS;
    }

    /**
     * Makes the stored counter at least {@code boot} (durably, before returning), so that the next
     * start numbers above it: called when this start raised its request IDs into {@code boot}'s range.
     */
    static void raise(RequestIds.Metadata meta, long boot) {
        if (stored(meta) < boot) store(meta, boot);
    }

    private static long stored(RequestIds.Metadata meta) {
        byte[] b = meta.get(KEY);
        return b == null ? 0 : ByteBuffer.wrap(b).getLong();
    }

    private static void store(RequestIds.Metadata meta, long boot) {
        if (boot >= 1L << BOOT_BITS) throw new IllegalStateException("boot counter exhausted: " + (boot - 1));
        meta.put(KEY, ByteBuffer.allocate(8).putLong(boot).array());
    }
}
