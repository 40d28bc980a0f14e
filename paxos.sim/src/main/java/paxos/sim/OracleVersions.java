package paxos.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.SystemCommand;

/**
 * The {@link Oracle}'s own model of check (d): the version of the simulated state machine in
 * force at each instance, computed from the chosen values alone, independently of the executor.
 * An {@link SystemCommand.ActivateVersion} is a compare-and-set decided at its position and in
 * force from the next instance. Exactly once applies to it as to any request: a copy whose
 * (proposer node, request ID) appeared earlier in the log (its proposer forwarded it again to a new
 * leader and both copies were chosen) is no request of its own, whatever the first copy's
 * compare-and-set decided, so the model skips it. (Seeds 10703 and 10724 failed (d) while the model
 * applied such copies: a compare-and-set that failed at the first copy succeeded at the second.)
 *
 * <p>Bounds: the requests seen are kept for the whole run (a simulation is short); unlike the
 * executor's table there is no window, so a copy the executor calls too old to tell apart would
 * show up here as a disagreement, not pass unseen.
 */
final class OracleVersions {
    private record Request(int node, long id) {}

    /** Per group: the version in force from each instance on where it changed (absent: none). */
    private final List<TreeMap<Long, String>> versionFrom = new ArrayList<>();
    /** Per group: every request (any state machine) in the instances scanned. */
    private final List<Set<Request>> seen = new ArrayList<>();
    /** Per group: every instance below it was scanned for activations. */
    private final long[] scanned;
    private final int stateMachineId;

    /** @param stateMachineId the simulated state machine whose activations are followed */
    OracleVersions(int groups, int stateMachineId) {
        this.stateMachineId = stateMachineId;
        for (int g = 0; g < groups; g++) {
            versionFrom.add(new TreeMap<>());
            seen.add(new HashSet<>());
        }
        scanned = new long[groups];
    }

    /**
     * The version in force at {@code instance} of {@code group}, or {@code null} before any
     * activation; {@code chosen} holds the group's chosen values, every one below {@code instance}.
     */
    String at(int group, long instance, NavigableMap<Long, byte[]> chosen) {
        TreeMap<Long, String> from = versionFrom.get(group);
        for (long i = scanned[group]; i < instance; i++) {
            byte[] value = chosen.get(i);
            if (value == null) throw new IllegalStateException("instance " + i + " executed before it was chosen");
            for (BatchCommand c : BatchCodec.decode(value, Integer.MAX_VALUE)) {
                if (!seen.get(group).add(new Request(c.proposerNode(), c.requestId()))) continue; // a copy: not executed again
                if (c.stateMachineId() != 0
                        || !(SystemCommand.decode(c.value()) instanceof SystemCommand.ActivateVersion a)
                        || a.stateMachineId() != stateMachineId) continue;
                Map.Entry<Long, String> current = from.floorEntry(i + 1); // sees an activation earlier in the same instance
                String now = current == null ? "" : current.getValue();
                if (a.expected().equals("*") || a.expected().equals(now)) from.put(i + 1, a.version());
            }
            scanned[group] = i + 1;
        }
        Map.Entry<Long, String> e = from.floorEntry(instance);
        return e == null ? null : e.getValue();
    }

    /**
     * True if {@link #at} can tell the version at {@code instance} now: every instance below it
     * that is not scanned yet is in {@code chosen}.
     */
    boolean knowsBelow(int group, long instance, NavigableMap<Long, byte[]> chosen) {
        for (long i = scanned[group]; i < instance; i++) if (!chosen.containsKey(i)) return false;
        return true;
    }

    /** Successful activations seen so far (all groups); for the run's statistics. */
    long activations() {
        return versionFrom.stream().mapToLong(Map::size).sum();
    }
}
