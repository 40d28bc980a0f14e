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
    private final TreeMap<Integer, Ids> byProposer = new TreeMap<>();
    /** The proposer last looked up and its IDs ({@code null}: none): a batch's commands mostly come from one node. */
    private int lastNode;
    private Ids lastIds;

    /** An empty table. */
    public RequestDedup() {
    }

    /** A table holding {@code entries} (proposer to request ID to instance), bounds applied. */
    public RequestDedup(Map<Integer, ? extends Map<Long, Long>> entries) {
        entries.forEach((node, ids) -> ids.forEach((id, instance) -> record(node, id, instance)));
    }

    /** The verdict for {@code (node, requestId)} before it executes. */
    public Verdict check(int node, long requestId) {
        Ids ids = ids(node);
        if (ids == null) return Verdict.FRESH;
        if (ids.indexOf(requestId) >= 0) return Verdict.DUPLICATE;
        if (ids.size >= WINDOW && requestId < ids.first()) return Verdict.TOO_OLD;
        return Verdict.FRESH;
    }

    /** The instance of the first execution of {@code (node, requestId)}, or {@code -1} if not kept. */
    public long firstExecution(int node, long requestId) {
        Ids ids = byProposer.get(node);
        int i = ids == null ? -1 : ids.indexOf(requestId);
        return i < 0 ? -1 : ids.instances[i];
    }

    /** The highest request ID of {@code node} kept ({@code -1} if none): the window keeps the highest, so it is never evicted alone. */
    public long highest(int node) {
        Ids ids = byProposer.get(node);
        return ids == null ? -1 : ids.last();
    }

    /** Records a fresh request executed (or decided) at {@code instance}. */
    public void record(int node, long requestId, long instance) {
        Ids ids = ids(node);
        if (ids == null) {
            if (byProposer.size() >= PROPOSERS_MAX) {
                byProposer.remove(leastRecent());
                lastIds = null;
            }
            ids = new Ids();
            byProposer.put(node, ids);
        }
        ids.put(requestId, instance);
        while (ids.size > WINDOW) ids.removeFirst();
    }

    private Ids ids(int node) {
        if (lastIds != null && node == lastNode) return lastIds;
        Ids ids = byProposer.get(node);
        if (ids != null) {
            lastNode = node;
            lastIds = ids;
        }
        return ids;
    }

    /** The proposer whose latest execution is the oldest (ties: the lowest node ID). */
    private int leastRecent() {
        int node = byProposer.firstKey();
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Integer, Ids> e : byProposer.entrySet()) {
            long latest = e.getValue().latestInstance();
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
        byProposer.forEach((node, ids) -> out.put(node, Collections.unmodifiableNavigableMap(ids.toMap())));
        return Collections.unmodifiableMap(out);
    }

    /** An independent copy. */
    public RequestDedup copy() {
        return new RequestDedup(entries());
    }

    /** Number of entries kept. */
    public int size() {
        int n = 0;
        for (Ids ids : byProposer.values()) n += ids.size;
        return n;
    }

    /**
     * One proposer's request IDs ascending, each with its instance, in {@code [head, head + size)}
     * of two primitive arrays. Why not a sorted map: every executed command checks and records
     * one, and its IDs grow (a node numbers its requests in order), so nearly every record is an
     * append at the top and every eviction drops the bottom: both O(1) here, with no boxing or
     * node per entry. An ID below the top (a forwarded batch overtaken by a later one) is inserted
     * in place.
     */
    private static final class Ids {
        long[] ids = new long[16];
        long[] instances = new long[16];
        int head;
        int size;

        long first() {
            return ids[head];
        }

        long last() {
            return ids[head + size - 1];
        }

        /** The array index holding {@code id}, or a negative number if it is not kept. */
        int indexOf(long id) {
            if (size == 0 || id > last() || id < first()) return -1;
            int i = java.util.Arrays.binarySearch(ids, head, head + size, id);
            return i >= 0 ? i : -1;
        }

        /** Maps {@code id} to {@code instance} (replacing the instance if it is kept already). */
        void put(long id, long instance) {
            if (size == 0 || id > last()) {
                roomAtTail();
                ids[head + size] = id;
                instances[head + size] = instance;
                size++;
                return;
            }
            int i = java.util.Arrays.binarySearch(ids, head, head + size, id);
            if (i >= 0) {
                instances[i] = instance;
                return;
            }
            roomAtTail();
            int at = -java.util.Arrays.binarySearch(ids, head, head + size, id) - 1; // the array may have moved
            int tail = head + size - at;
            System.arraycopy(ids, at, ids, at + 1, tail);
            System.arraycopy(instances, at, instances, at + 1, tail);
            ids[at] = id;
            instances[at] = instance;
            size++;
        }

        void removeFirst() {
            head++;
            size--;
            if (size == 0) head = 0;
        }

        /** Makes index {@code head + size} writable: moves the entries down or grows the arrays. */
        private void roomAtTail() {
            if (head + size < ids.length) return;
            long[] newIds = ids;
            long[] newInstances = instances;
            if (size > ids.length / 2) {
                newIds = new long[ids.length * 2];
                newInstances = new long[ids.length * 2];
            }
            System.arraycopy(ids, head, newIds, 0, size);
            System.arraycopy(instances, head, newInstances, 0, size);
            ids = newIds;
            instances = newInstances;
            head = 0;
        }

        long latestInstance() {
            long max = Long.MIN_VALUE;
            for (int i = head; i < head + size; i++) max = Math.max(max, instances[i]);
            return max;
        }

        TreeMap<Long, Long> toMap() {
            TreeMap<Long, Long> m = new TreeMap<>();
            for (int i = head; i < head + size; i++) m.put(ids[i], instances[i]);
            return m;
        }
    }
}
