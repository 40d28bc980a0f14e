package paxos.impl.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A running phase 1 for all instances {@code >= from}: which acceptors answered completely, and the
 * highest-ballot accepted value seen per instance.
 */
final class PhaseOne {
    final long ballot;
    final long from;
    final long startedAt;
    long lastSentAt;
    private final Map<Integer, Long> expectedFrom = new HashMap<>();
    private final Set<Integer> complete = new HashSet<>();
    private final TreeMap<Long, Message.Entry> adopted = new TreeMap<>();

    PhaseOne(long ballot, long from, List<Integer> voters, long now) {
        this.ballot = ballot;
        this.from = from;
        this.startedAt = now;
        this.lastSentAt = now;
        for (int v : voters) expectedFrom.put(v, from);
    }

    /** The instance from which {@code voter}'s next reply is expected, or -1 if it is complete. */
    long expectedFrom(int voter) {
        return complete.contains(voter) ? -1 : expectedFrom.getOrDefault(voter, -1L);
    }

    /**
     * Takes one promise's accepted (not chosen) entries. Returns the instance to ask again from if
     * the reply was truncated, else {@code -1}; replies not matching what was asked are ignored.
     */
    long take(Message.Promise p) {
        Long expected = expectedFrom.get(p.from());
        if (expected == null || complete.contains(p.from()) || p.fromInstance() != expected) return -1;
        for (Message.Entry e : p.entries()) {
            if (e.chosen()) continue;
            Message.Entry best = adopted.get(e.instance());
            if (best == null || e.ballot() > best.ballot()) adopted.put(e.instance(), e);
        }
        if (p.more() && !p.entries().isEmpty()) {
            long next = p.entries().get(p.entries().size() - 1).instance() + 1;
            expectedFrom.put(p.from(), next);
            return next;
        }
        complete.add(p.from());
        return -1;
    }

    int completeCount() {
        return complete.size();
    }

    /** The acceptors whose promises are complete. */
    Set<Integer> completed() {
        return complete;
    }

    /** The highest-ballot accepted value reported for {@code instance}, or {@code null}. */
    Message.Entry adopted(long instance) {
        return adopted.get(instance);
    }

    /** The highest instance any acceptor reported, or {@code from - 1}. */
    long maxInstance() {
        return adopted.isEmpty() ? from - 1 : adopted.lastKey();
    }
}
