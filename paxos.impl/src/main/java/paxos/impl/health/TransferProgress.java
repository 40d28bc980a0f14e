package paxos.impl.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code checkpointTransfers} check: every running checkpoint transfer moved bytes within
 * {@link #STALL_MAX}. A transfer that stalls (a peer gone mid-transfer, a full disk) keeps its
 * group CATCHING_UP; this check names it. Not thread-safe: {@link HealthChecks#run()} serializes.
 */
final class TransferProgress {
    /** How long a running transfer may move no byte before the check is DOWN. */
    static final Duration STALL_MAX = Duration.ofSeconds(60);

    private record Seen(long bytes, long sinceNanos) {}

    /** Transfer ID -> bytes at the last change and when that was. */
    private final Map<Long, Seen> seen = new HashMap<>();

    HealthChecks.Check check(List<HealthChecks.Transfer> transfers, long nowNanos) {
        List<String> stalled = new ArrayList<>();
        Set<Long> running = new HashSet<>();
        for (HealthChecks.Transfer t : transfers) {
            if (!t.running()) continue;
            running.add(t.id());
            Seen s = seen.get(t.id());
            if (s == null || s.bytes() != t.bytes()) seen.put(t.id(), new Seen(t.bytes(), nowNanos));
            else if (nowNanos - s.sinceNanos() > STALL_MAX.toNanos())
                stalled.add(t.what() + " stalled at " + t.bytes() + " bytes for " + (nowNanos - s.sinceNanos()) / 1_000_000_000L + " s");
        }
        seen.keySet().retainAll(running);
        if (!stalled.isEmpty()) return new HealthChecks.Check("checkpointTransfers", false, String.join("; ", stalled));
        return new HealthChecks.Check("checkpointTransfers", true, running.isEmpty() ? "none running"
                : running.size() + " running, progressing");
    }
}
