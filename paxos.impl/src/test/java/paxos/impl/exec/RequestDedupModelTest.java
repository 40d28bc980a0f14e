package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestDedup} against a plain sorted-map model of its contract (the table the executor
 * kept before it moved to primitive arrays): same verdicts, lookups and entries after random
 * mostly-ascending requests with overtaken, repeated and very old IDs, and more proposers than kept.
 */
class RequestDedupModelTest {
    /** The contract, written the obvious way. */
    private static final class Model {
        final TreeMap<Integer, TreeMap<Long, Long>> byProposer = new TreeMap<>();

        RequestDedup.Verdict check(int node, long id) {
            TreeMap<Long, Long> ids = byProposer.get(node);
            if (ids == null) return RequestDedup.Verdict.FRESH;
            if (ids.containsKey(id)) return RequestDedup.Verdict.DUPLICATE;
            if (ids.size() >= RequestDedup.WINDOW && id < ids.firstKey()) return RequestDedup.Verdict.TOO_OLD;
            return RequestDedup.Verdict.FRESH;
        }

        void record(int node, long id, long instance) {
            TreeMap<Long, Long> ids = byProposer.get(node);
            if (ids == null) {
                if (byProposer.size() >= RequestDedup.PROPOSERS_MAX) {
                    int least = byProposer.firstKey();
                    long oldest = Long.MAX_VALUE;
                    for (Map.Entry<Integer, TreeMap<Long, Long>> e : byProposer.entrySet()) {
                        long latest = Collections.max(e.getValue().values());
                        if (latest < oldest) {
                            oldest = latest;
                            least = e.getKey();
                        }
                    }
                    byProposer.remove(least);
                }
                ids = new TreeMap<>();
                byProposer.put(node, ids);
            }
            ids.put(id, instance);
            while (ids.size() > RequestDedup.WINDOW) ids.pollFirstEntry();
        }
    }

    @Test
    void behavesAsTheSortedMapModel() {
        for (int seed = 0; seed < 20; seed++) {
            Random r = new Random(seed);
            RequestDedup t = new RequestDedup();
            Model m = new Model();
            int nodes = seed % 4 == 0 ? RequestDedup.PROPOSERS_MAX + 20 : 1 + r.nextInt(5);
            long[] next = new long[nodes + 1];
            for (int instance = 0; instance < 6000; instance++) {
                int node = 1 + r.nextInt(nodes);
                long id = switch (r.nextInt(10)) {
                    case 0 -> Math.max(0, next[node] - r.nextInt(3000)); // overtaken, repeated or below the window
                    case 1 -> next[node] + r.nextInt(50); // a gap
                    default -> next[node]++;
                };
                next[node] = Math.max(next[node], id + 1);
                RequestDedup.Verdict v = t.check(node, id);
                assertEquals(m.check(node, id), v, "seed " + seed + " instance " + instance);
                if (v == RequestDedup.Verdict.FRESH || r.nextInt(20) == 0) { // a replayed record replaces the instance
                    t.record(node, id, instance);
                    m.record(node, id, instance);
                }
                if (instance % 500 == 0 || instance == 5999) {
                    Map<Integer, NavigableMap<Long, Long>> expected = new TreeMap<>(m.byProposer);
                    assertEquals(expected, t.entries(), "seed " + seed);
                    assertEquals(expected, t.copy().entries(), "seed " + seed);
                    for (int n = 1; n <= nodes; n++) {
                        TreeMap<Long, Long> ids = m.byProposer.get(n);
                        assertEquals(ids == null ? -1 : ids.lastKey(), t.highest(n));
                        long probe = Math.max(0, next[n] - 1 - r.nextInt(1500));
                        Long at = ids == null ? null : ids.get(probe);
                        assertEquals(at == null ? -1 : at, t.firstExecution(n, probe));
                    }
                }
            }
        }
    }
}
