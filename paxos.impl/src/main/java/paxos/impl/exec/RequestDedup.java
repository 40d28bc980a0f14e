package paxos.impl.exec;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One group's table of executed requests, (proposer node, request ID) to the instance of their
 * first execution, so that a command chosen twice (its proposer forwarded it again to a new
 * leader after the old one was lost) executes once. A pure function of the executed log: every
 * replica holds the same table after the same instance.
 *
 * <p><b>Bounds and eviction.</b> Per proposer the {@value #WINDOW} highest request IDs executed
 * (request IDs grow within and across a node's incarnations: boot counter in the high bits), at
 * most {@value #PROPOSERS_MAX} proposers (the one executed least recently is dropped). A command
 * whose ID is below a full window cannot be told apart from an evicted one: it is
 * {@link Verdict#TOO_OLD} and does not execute (at most once, never twice). It takes
 * {@value #WINDOW} later requests of the same node executing first, which a node's in-order
 * forwarding makes rare.
 *
 * <p><b>Threads.</b> The group's execution thread only; a {@link #copy()} may go anywhere.
 */
public final class RequestDedup {
    /** Request IDs kept per proposer. */
    public static final int WINDOW = 1024;
    /** Proposers kept. */
    public static final int PROPOSERS_MAX = 256;

    /** What a command's (proposer, request ID) means at its position. */
    public enum Verdict { FRESH, DUPLICATE, TOO_OLD }

    /** Per proposer: request ID to the instance of its first execution. */
    private final TreeMap<Integer, TreeMap<Long, Long>> byProposer = new TreeMap<>();

    /** An empty table. */
    public RequestDedup() {
    }

    /** A table holding {@code entries} (proposer to request ID to instance), bounds applied. */
    public RequestDedup(Map<Integer, ? extends Map<Long, Long>> entries) {
        entries.forEach((node, ids) -> ids.forEach((id, instance) -> record(node, id, instance)));
    }

    /** The verdict for {@code (node, requestId)} before it executes. */
    public Verdict check(int node, long requestId) {
        TreeMap<Long, Long> ids = byProposer.get(node);
        if (ids == null) return Verdict.FRESH;
        if (ids.containsKey(requestId)) return Verdict.DUPLICATE;
        if (ids.size() >= WINDOW && requestId < ids.firstKey()) return Verdict.TOO_OLD;
        return Verdict.FRESH;
    }

    /** The instance of the first execution of {@code (node, requestId)}, or {@code -1} if not kept. */
    public long firstExecution(int node, long requestId) {
        TreeMap<Long, Long> ids = byProposer.get(node);
        Long at = ids == null ? null : ids.get(requestId);
        return at == null ? -1 : at;
    }

    /** The highest request ID of {@code node} kept ({@code -1} if none): the window keeps the highest, so it is never evicted alone. */
    public long highest(int node) {
        TreeMap<Long, Long> ids = byProposer.get(node);
        return ids == null ? -1 : ids.lastKey();
    }

    /** Records a fresh request executed (or decided) at {@code instance}. */
    public void record(int node, long requestId, long instance) {
        TreeMap<Long, Long> ids = byProposer.get(node);
        if (ids == null) {
            if (byProposer.size() >= PROPOSERS_MAX) byProposer.remove(leastRecent());
            ids = new TreeMap<>();
            byProposer.put(node, ids);
        }
        ids.put(requestId, instance);
        while (ids.size() > WINDOW) ids.pollFirstEntry();
    }

    /** The proposer whose latest execution is the oldest (ties: the lowest node ID). */
    private int leastRecent() {
        int node = byProposer.firstKey();
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Integer, TreeMap<Long, Long>> e : byProposer.entrySet()) {
            long latest = Collections.max(e.getValue().values());
            if (latest < oldest) {
                oldest = latest;
                node = e.getKey();
            }
        }
        return node;
    }

    /** An immutable view of the entries: proposer to request ID to instance, both ascending. */
    public Map<Integer, NavigableMap<Long, Long>> entries() {
        Map<Integer, NavigableMap<Long, Long>> out = new TreeMap<>();
        byProposer.forEach((node, ids) -> out.put(node, Collections.unmodifiableNavigableMap(new TreeMap<>(ids))));
        return Collections.unmodifiableMap(out);
    }

    /** An independent copy. */
    public RequestDedup copy() {
        return new RequestDedup(byProposer);
    }

    /** Number of entries kept. */
    public int size() {
        int n = 0;
        for (TreeMap<Long, Long> ids : byProposer.values()) n += ids.size();
        return n;
    }
}
