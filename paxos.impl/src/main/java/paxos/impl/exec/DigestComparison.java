package paxos.impl.exec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares the digests that replicas reported for one state machine at one instance and says who
 * departed from whom. A replica is in the <em>minority</em> when its digest differs from a digest
 * reported by a majority of the cluster's replicas ({@code > clusterSize / 2}); with no such
 * majority nobody can tell which state is right, so the divergence is reported without marking
 * anyone. Pure; used by the runtime and the simulator alike.
 */
public final class DigestComparison {
    private DigestComparison() {}

    /** What the digests say. */
    public enum Kind {
        /** Every reported digest is equal (fewer than all replicas may have reported yet). */
        AGREE,
        /** A majority agrees and {@code differing} nodes hold another digest. */
        MINORITY,
        /** The digests differ and no digest is held by a majority: report, mark nobody. */
        NO_MAJORITY
    }

    /**
     * @param kind the outcome
     * @param majorityDigest the majority's digest ({@link Kind#MINORITY}) or the common one ({@link Kind#AGREE}); else 0
     * @param majorityNodes nodes holding it, ascending (empty for {@link Kind#NO_MAJORITY})
     * @param differing nodes whose digest differs from it, ascending (every reporting node for {@link Kind#NO_MAJORITY})
     */
    public record Verdict(Kind kind, long majorityDigest, List<Integer> majorityNodes, List<Integer> differing) {
        public Verdict {
            majorityNodes = List.copyOf(majorityNodes);
            differing = List.copyOf(differing);
        }

        /** True if {@code node} is named as departing from a majority. */
        public boolean isMinority(int node) {
            return kind == Kind.MINORITY && differing.contains(node);
        }
    }

    /**
     * @param digests per reporting node, its digest at the instance compared (at least one)
     * @param clusterSize the number of replicas of the group, {@code >= 1}
     */
    public static Verdict compare(Map<Integer, Long> digests, int clusterSize) {
        if (digests.isEmpty()) throw new IllegalArgumentException("no digests to compare");
        if (clusterSize < digests.size()) throw new IllegalArgumentException("clusterSize " + clusterSize
                + " is below the " + digests.size() + " reporting nodes");
        Map<Long, List<Integer>> byDigest = new HashMap<>();
        for (Map.Entry<Integer, Long> e : new TreeMap<>(digests).entrySet())
            byDigest.computeIfAbsent(e.getValue(), d -> new ArrayList<>()).add(e.getKey());
        if (byDigest.size() == 1) {
            Map.Entry<Long, List<Integer>> only = byDigest.entrySet().iterator().next();
            return new Verdict(Kind.AGREE, only.getKey(), only.getValue(), List.of());
        }
        for (Map.Entry<Long, List<Integer>> e : byDigest.entrySet()) {
            if (e.getValue().size() * 2 > clusterSize) {
                List<Integer> differing = new ArrayList<>();
                for (Map.Entry<Integer, Long> d : new TreeMap<>(digests).entrySet())
                    if (d.getValue() != (long) e.getKey()) differing.add(d.getKey());
                return new Verdict(Kind.MINORITY, e.getKey(), e.getValue(), differing);
            }
        }
        return new Verdict(Kind.NO_MAJORITY, 0, List.of(), List.copyOf(new TreeMap<>(digests).keySet()));
    }
}
