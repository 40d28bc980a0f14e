package paxos.impl.runtime;

import java.util.Map;
import java.util.TreeMap;

/** Ages of timestamped reports, for status snapshots. */
final class ReportAge {
    private ReportAge() {}

    /** Per key, milliseconds since its {@code System.nanoTime()} value; a snapshot copy. */
    static Map<Integer, Long> millisSince(Map<Integer, Long> nanosByKey) {
        long now = System.nanoTime();
        Map<Integer, Long> out = new TreeMap<>();
        nanosByKey.forEach((k, at) -> out.put(k, Math.max(0, (now - at) / 1_000_000)));
        return out;
    }
}
