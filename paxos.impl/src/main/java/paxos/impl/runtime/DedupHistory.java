package paxos.impl.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.NavigableMap;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.RequestDedup;

/**
 * The part of {@link ExecMeta} that lets a restart resume execution's executed-requests table
 * ({@link RequestDedup}): the table just before instance {@link #at()} (the replay start when it
 * was written), plus, in memory only, the requests executed since (the log from the replay start
 * is retained, so a restart re-executes them and notes them again). Housekeeping folds the noted
 * requests below the new replay start into the base. Memory: one entry per request executed since
 * the lowest checkpoint (as the retained log), at most {@value #RECENT_MAX}.
 *
 * <p><b>Threads.</b> The group's execution queue.
 */
final class DedupHistory {
    static final int RECENT_MAX = 1 << 20;
    private RequestDedup base;
    private long at;
    private final ArrayDeque<GroupExecutor.ExecutedRequest> recent = new ArrayDeque<>();
    /** The instance of the first noted request dropped ({@value #RECENT_MAX} kept); {@code MAX_VALUE}: none. */
    private long lostFrom = Long.MAX_VALUE;

    DedupHistory(RequestDedup base, long at) {
        this.base = base;
        this.at = at;
    }

    static DedupHistory empty() {
        return new DedupHistory(new RequestDedup(), 0);
    }

    /** The instance the base table stands just before. */
    long at() {
        return at;
    }

    /**
     * The table just before {@code instance}, as far as the kept base tells: exact when
     * {@code instance} is the base's position (the usual restart) or {@code 0}; below it, the
     * base's entries executed before {@code instance}.
     */
    Map<Integer, NavigableMap<Long, Long>> tableBefore(long instance) {
        if (instance == 0) return Map.of();
        if (instance >= at) return base.entries();
        RequestDedup older = new RequestDedup();
        base.entries().forEach((node, ids) -> ids.forEach((id, i) -> {
            if (i < instance) older.record(node, id, i);
        }));
        return older.entries();
    }

    /**
     * The table just after {@code instance}, exactly, for a checkpoint at {@code instance}: the base
     * with the noted requests up to {@code instance} applied in execution order (what the executor
     * did).
     *
     * @throws IllegalStateException if this history cannot tell it exactly: {@code instance} is
     *     below the base, or noted requests up to it were dropped ({@value #RECENT_MAX} noted)
     */
    Map<Integer, NavigableMap<Long, Long>> tableAfter(long instance) {
        if (instance + 1 < at)
            throw new IllegalStateException("the executed-requests table is kept from instance " + at + " on, not at " + instance);
        if (instance >= lostFrom)
            throw new IllegalStateException("more than " + RECENT_MAX + " requests executed since the lowest checkpoint; the"
                    + " executed-requests table after instance " + lostFrom + " is no longer known exactly here");
        RequestDedup t = base.copy();
        for (GroupExecutor.ExecutedRequest r : recent) {
            if (r.instance() > instance) break;
            t.record(r.proposerNode(), r.requestId(), r.instance());
        }
        return t.entries();
    }

    /** Replaces everything with {@code table}, standing before {@code at} (a checkpoint was installed there). */
    void reset(Map<Integer, ? extends Map<Long, Long>> table, long at) {
        this.base = new RequestDedup(table);
        this.at = at;
        this.recent.clear();
        this.lostFrom = Long.MAX_VALUE;
    }

    /** Notes requests the executor ran for the first time. */
    void noteExecuted(java.util.List<GroupExecutor.ExecutedRequest> executed) {
        for (GroupExecutor.ExecutedRequest r : executed) {
            if (r.instance() < at) continue; // a replay below the base: already in it
            if (recent.size() >= RECENT_MAX) lostFrom = Math.min(lostFrom, recent.removeFirst().instance());
            recent.addLast(r);
        }
    }

    /** Folds the noted requests below {@code replayFrom} into the base, which then stands before it. */
    void advanceTo(long replayFrom) {
        if (replayFrom <= at) return;
        while (!recent.isEmpty() && recent.peekFirst().instance() < replayFrom) {
            GroupExecutor.ExecutedRequest r = recent.removeFirst();
            base.record(r.proposerNode(), r.requestId(), r.instance());
        }
        at = replayFrom;
    }

    int encodedBytes() {
        return 8 + 4 + base.entries().size() * 8 + base.size() * 16;
    }

    void encode(ByteBuffer b) {
        Map<Integer, NavigableMap<Long, Long>> entries = base.entries();
        b.putLong(at).putInt(entries.size());
        entries.forEach((node, ids) -> {
            b.putInt(node).putInt(ids.size());
            ids.forEach((id, i) -> b.putLong(id).putLong(i));
        });
    }

    static DedupHistory decode(ByteBuffer b) {
        long at = b.getLong();
        RequestDedup base = new RequestDedup();
        for (int n = b.getInt(); n > 0; n--) {
            int node = b.getInt();
            for (int k = b.getInt(); k > 0; k--) base.record(node, b.getLong(), b.getLong());
        }
        return new DedupHistory(base, at);
    }
}
