package paxos.impl.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proposals waiting for an instance (on the leader) or for a leader to forward them to. A unit is
 * a list of commands that must share one instance ({@code proposeAll}); units are never split.
 * Bounded by count and bytes; forwarded duplicates (the network may duplicate) are dropped by a
 * bounded memory of recently seen request IDs.
 */
final class ProposalQueue {
    /** Most request IDs remembered for duplicate detection of forwarded units. */
    static final int DEDUP_MAX = 4096;

    record Unit(List<BatchCommand> commands, int bytes, int hops, long enqueuedAt) {}

    private record Key(int node, long requestId) {}

    private final CoreConfig cfg;
    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    private long bytes;
    private int commandCount;
    private final Map<Key, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
            return size() > DEDUP_MAX;
        }
    };

    ProposalQueue(CoreConfig cfg) {
        this.cfg = cfg;
    }

    /** Checks a locally proposed unit against the limits and queues it. */
    ProposeResult offer(List<BatchCommand> commands, long now) {
        if (commands.isEmpty()) throw new IllegalArgumentException("a proposal unit needs at least one command");
        for (BatchCommand c : commands) {
            if (c.value().length > cfg.valueBytesMax())
                return refused(ProposeResult.Reason.VALUE_TOO_LARGE, "value of " + c.value().length
                        + " bytes exceeds valueBytesMax " + cfg.valueBytesMax());
        }
        int unitBytes = BatchCodec.encodedBytes(commands);
        if (unitBytes > cfg.batchBytesMax() || commands.size() > cfg.batchCountMax())
            return refused(ProposeResult.Reason.VALUE_TOO_LARGE, "proposals sharing one instance need " + unitBytes
                    + " bytes and " + commands.size() + " commands; the limits are batchBytesMax " + cfg.batchBytesMax()
                    + " and batchCountMax " + cfg.batchCountMax());
        if (units.size() >= cfg.queueMax() || bytes + unitBytes > cfg.queueBytesMax())
            return refused(ProposeResult.Reason.OVERLOADED, "group " + cfg.group() + " queue is full ("
                    + units.size() + " proposals, " + bytes + " bytes)");
        add(new Unit(List.copyOf(commands), unitBytes, 0, now));
        return ProposeResult.QUEUED;
    }

    /** Queues a unit another node forwarded; false if dropped (duplicate, full, too many hops). */
    boolean offerForwarded(List<BatchCommand> commands, int hops, long now) {
        if (commands.isEmpty()) return false;
        BatchCommand first = commands.get(0);
        if (seen.put(new Key(first.proposerNode(), first.requestId()), Boolean.TRUE) != null) return false;
        int unitBytes = BatchCodec.encodedBytes(commands);
        if (unitBytes > cfg.batchBytesMax() || commands.size() > cfg.batchCountMax()) return false;
        if (units.size() >= cfg.queueMax() || bytes + unitBytes > cfg.queueBytesMax()) return false;
        add(new Unit(commands, unitBytes, hops, now));
        return true;
    }

    /**
     * Puts this node's own unit back at the head of the queue, to forward it to a new leader (or
     * propose it here); false if the queue is full (then its caller's timeout reports it).
     */
    boolean requeue(Unit u) {
        if (units.size() >= cfg.queueMax() || bytes + u.bytes() > cfg.queueBytesMax()) return false;
        units.addFirst(u);
        bytes += u.bytes();
        commandCount += u.commands().size();
        return true;
    }

    private void add(Unit u) {
        units.addLast(u);
        bytes += u.bytes();
        commandCount += u.commands().size();
    }

    private static ProposeResult refused(ProposeResult.Reason reason, String message) {
        return new ProposeResult.Refused(reason, message);
    }

    boolean isEmpty() {
        return units.isEmpty();
    }

    int size() {
        return units.size();
    }

    /** True if a batch should be cut now: full by count or bytes, or the oldest waited long enough. */
    boolean batchDue(long now) {
        if (units.isEmpty()) return false;
        return commandCount >= cfg.batchCountMax() || bytes + BatchCodec.HEADER_BYTES >= cfg.batchBytesMax()
                || now - units.peekFirst().enqueuedAt() >= cfg.batchDelayTicks();
    }

    /** Removes whole units, in order, while they fit one instance (always at least one). */
    List<BatchCommand> takeBatch() {
        List<BatchCommand> batch = new ArrayList<>();
        int batchBytes = BatchCodec.HEADER_BYTES;
        while (!units.isEmpty()) {
            Unit u = units.peekFirst();
            boolean fits = batchBytes + u.bytes() - BatchCodec.HEADER_BYTES <= cfg.batchBytesMax()
                    && batch.size() + u.commands().size() <= cfg.batchCountMax();
            if (!batch.isEmpty() && !fits) break;
            remove();
            batch.addAll(u.commands());
            batchBytes += u.bytes() - BatchCodec.HEADER_BYTES;
        }
        return batch;
    }

    /** Removes units to forward, at most about {@code bytesMax} bytes (always at least one). */
    List<Unit> takeForForward(int bytesMax) {
        List<Unit> list = new ArrayList<>();
        long taken = 0;
        while (!units.isEmpty() && (list.isEmpty() || taken + units.peekFirst().bytes() <= bytesMax)) {
            Unit u = remove();
            taken += u.bytes();
            list.add(u);
        }
        return list;
    }

    private Unit remove() {
        Unit u = units.removeFirst();
        bytes -= u.bytes();
        commandCount -= u.commands().size();
        return u;
    }
}
