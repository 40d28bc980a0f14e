package paxos.impl.exec;

/**
 * A reusable set of (proposer node, request ID) pairs: the requests found fresh so far in the
 * instance {@link GroupExecutor} executes, so that a second copy in the same instance counts as a
 * duplicate. Open addressing over primitive arrays, emptied per instance by a generation number:
 * nothing is allocated per command or per instance once it has grown to the largest batch.
 *
 * <p><b>Threads.</b> The group's execution thread only.
 */
final class RequestKeys {
    private int[] nodes = new int[32];
    private long[] ids = new long[32];
    /** The generation each slot was filled in; a slot of an older generation is empty. */
    private int[] filled = new int[32];
    private int generation = 1;

    /** Empties the set, sized for up to {@code expected} pairs. */
    void clear(int expected) {
        if (expected * 2 > nodes.length) {
            int capacity = Integer.highestOneBit(Math.max(expected * 2, 16) - 1) << 1;
            nodes = new int[capacity];
            ids = new long[capacity];
            filled = new int[capacity];
            generation = 1;
            return;
        }
        if (++generation == 0) { // wrapped: forget every slot the hard way, once in 2^32 instances
            java.util.Arrays.fill(filled, 0);
            generation = 1;
        }
    }

    /** Adds the pair (no-op if present); at most the {@code expected} of the last {@link #clear} pairs. */
    void add(int node, long id) {
        int mask = nodes.length - 1;
        for (int i = slot(node, id, mask); ; i = (i + 1) & mask) {
            if (filled[i] != generation) {
                filled[i] = generation;
                nodes[i] = node;
                ids[i] = id;
                return;
            }
            if (nodes[i] == node && ids[i] == id) return;
        }
    }

    boolean contains(int node, long id) {
        int mask = nodes.length - 1;
        for (int i = slot(node, id, mask); filled[i] == generation; i = (i + 1) & mask) {
            if (nodes[i] == node && ids[i] == id) return true;
        }
        return false;
    }

    private static int slot(int node, long id, int mask) {
        long h = (id ^ ((long) node << 32)) * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }
}
