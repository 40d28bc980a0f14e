package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mutable progress of one checkpoint transfer, from which status snapshots
 * ({@link TransferStatus}) are taken; and, in {@link Board}, the latest track per group and
 * direction.
 *
 * <p><b>Threads.</b> Written by the one thread that drives the transfer at a time (the sender's
 * thread, or the receiver's serial I/O queue and then its install thread); read by status callers
 * on any thread. Fields are volatile, so a snapshot may mix two updates (bytes of one chunk,
 * files of the next) but never shows a torn value.
 */
final class TransferTrack {
    final int group;
    final String direction;
    final int peer;
    final long transferId;
    final long startedMillis = System.currentTimeMillis();
    final long startedNanos = System.nanoTime();
    volatile String phase;
    volatile long bytes;
    volatile long bytesTotal;
    volatile int files;
    volatile int filesTotal;
    volatile long instance = -1;
    /** When bytes started to flow (after the sender's lock and copy): the rate counts from here. */
    volatile long streamStartNanos;
    volatile long endedMillis;
    volatile long endedNanos;
    volatile TransferOutcome outcome;
    volatile String detail;

    TransferTrack(int group, String direction, int peer, long transferId, String phase) {
        this.group = group;
        this.direction = direction;
        this.peer = peer;
        this.transferId = transferId;
        this.phase = phase;
    }

    void update(long bytes, long bytesTotal, int files, int filesTotal, long instance) {
        if (streamStartNanos == 0 && bytesTotal > 0) streamStartNanos = System.nanoTime();
        this.bytes = bytes;
        this.bytesTotal = bytesTotal;
        this.files = files;
        this.filesTotal = filesTotal;
        this.instance = instance;
    }

    /** Ends the transfer; {@code detail} says why it failed ({@code null} on success). */
    void finish(TransferOutcome outcome, String detail) {
        endedNanos = System.nanoTime();
        endedMillis = System.currentTimeMillis();
        this.detail = detail;
        this.outcome = outcome; // last: a reader that sees the outcome sees its detail
        phase = outcome.succeeded() ? "done" : "failed";
    }

    TransferStatus snapshot() {
        long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
        long nanos = Math.max(1, end - (streamStartNanos == 0 ? startedNanos : streamStartNanos));
        long rate = (long) (bytes * 1e9 / nanos);
        return new TransferStatus(group, direction, peer, transferId, phase, bytes, bytesTotal, files, filesTotal, rate,
                instance, startedMillis, endedMillis, outcome, detail);
    }

    /**
     * The latest transfer per group and direction (the one running, or the last one's outcome):
     * what status pages list. Bounded by two entries per group. Any thread.
     */
    static final class Board {
        private final Map<String, TransferTrack> tracks = new ConcurrentHashMap<>();

        /** Shows {@code t} in place of the group's previous transfer in its direction. */
        void show(TransferTrack t) {
            tracks.put(t.group + "/" + t.direction, t);
        }

        /** Every group's transfer in progress and last outcome, by group then direction. */
        List<TransferStatus> snapshot() {
            List<TransferStatus> out = new ArrayList<>();
            for (TransferTrack t : new TreeMap<>(tracks).values()) out.add(t.snapshot());
            return out;
        }
    }
}
