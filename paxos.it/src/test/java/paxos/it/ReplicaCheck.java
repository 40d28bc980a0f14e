package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The end-of-test check of the multi-process tests: replicas agree and hold every acknowledged write. */
final class ReplicaCheck {
    private ReplicaCheck() {}

    /**
     * All {@code replicas} reach the same (executed instance, checksum, count) in group 0; their
     * executed sequences are equal entry by entry; every acknowledged value is in it exactly once,
     * at the position it was acknowledged with.
     *
     * @return the agreed status words ({@code status 0 <executed> <checksum> <count>})
     */
    static String[] verify(List<NodeHandle> replicas, Map<String, Workload.Position> acked, Duration bound) throws Exception {
        // Proposals whose callers saw a timeout or a dead node may still be chosen later (e.g. a
        // Forward queued for a dead leader is delivered when it restarts): wait for quiescence,
        // i.e. equal status and equal executed sequences on all of them.
        List<List<String>> logs = new ArrayList<>();
        NodeHandle first = replicas.get(0);
        await().atMost(bound).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String[] s0 = first.request("status 0");
            for (NodeHandle n : replicas) if (!Arrays.equals(s0, n.request("status 0"))) return false;
            logs.clear();
            for (NodeHandle n : replicas) logs.add(dump(n));
            // the dump covers every executed command, and every replica's equals the first's
            return logs.get(0).size() == Long.parseLong(s0[4]) && logs.stream().allMatch(logs.get(0)::equals);
        });
        List<String> reference = logs.get(0);
        String[] status = first.request("status 0");
        Map<String, String> positionOf = new HashMap<>();
        for (String entry : reference) {
            String[] e = entry.split(":", 3);
            String previous = positionOf.put(e[2], e[0] + ":" + e[1]);
            assertEquals(null, previous, "value " + e[2] + " executed twice");
        }
        for (Map.Entry<String, Workload.Position> a : acked.entrySet()) {
            assertEquals(a.getValue().instance() + ":" + a.getValue().index(), positionOf.get(a.getKey()),
                    "acknowledged value " + a.getKey() + " executed at its acknowledged position");
        }
        System.out.printf("verified: %d acknowledged writes among %d executed, replicas %s agree at %s%n",
                acked.size(), reference.size(), replicas.stream().map(n -> n.nodeId).toList(), String.join(" ", status));
        return status;
    }

    /** Every executed command of group 0 as {@code instance:index:value}, in execution order. */
    static List<String> dump(NodeHandle n) throws Exception {
        List<String> out = new ArrayList<>();
        while (true) {
            String[] d = n.request("dump 0 " + out.size() + " 20000");
            assertEquals("false", d[4], "node " + n.nodeId + " kept every entry");
            int count = Integer.parseInt(d[3]);
            if (count == 0) return out;
            out.addAll(Arrays.asList(d).subList(5, 5 + count));
        }
    }
}
