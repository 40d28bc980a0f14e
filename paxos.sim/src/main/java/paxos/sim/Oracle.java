package paxos.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.MasterInfo;
import paxos.api.statemachine.Command;
import paxos.impl.exec.DigestComparison;
import paxos.impl.exec.DigestRecorder;

/**
 * The safety checks, fed by every node's shell as things happen:
 * (a) no instance of a group is chosen with two different values (across all nodes and restarts);
 * (b) every replica executes the same sequence of (instance, index, value), with no gap;
 * (c) every acknowledged proposal is executed at its acknowledged (instance, index).
 * For (b) each replica's state machine also keeps a running {@link #digest} of everything it
 * executed; it must equal every other replica's after the same instance. A replica that installed a
 * checkpoint at P took its prefix by copy: its digest at P must be the agreed one, and it is
 * checked on everything it executes after P.
 * (d) every instance is executed by the state machine version in force at it, computed here from
 * the chosen values alone (the activations' compare-and-set rule and exactly once, re-implemented
 * independently of the executor: {@link OracleVersions});
 * (e) every request executes at most once (a value chosen twice, e.g. after a re-forward to a new
 * leader, reaches the state machine once).
 * The first violation is kept with the time it was seen.
 */
final class Oracle {
    private record Ack(int group, long instance, int index, String value) {}

    private final List<String> violations = new ArrayList<>();
    private final List<TreeMap<Long, byte[]>> chosen = new ArrayList<>();
    private final List<Map<Long, List<String>>> executed = new ArrayList<>();
    /** (e): per group, each command value (unique per client request) to the instance it first executed at. */
    private final List<Map<String, Long>> firstExecution = new ArrayList<>();
    /** Per group: the digest of the agreed sequence after each instance (the first replica's). */
    private final List<Map<Long, Long>> digests = new ArrayList<>();
    private final long[][] lastExecuted;
    private final List<Ack> acks = new ArrayList<>();
    private final List<Map<Long, MasterInfo>> masters = new ArrayList<>();
    private final OracleVersions versions;
    /** A check (d) that waits for the chosen values below its instance. */
    private record VersionCheck(int node, int group, long instance, boolean emptyBatch, String version) {}
    /**
     * Per group, checks (d) of executions the oracle cannot judge yet, lowest instance first: a node
     * executes a chosen value as soon as it learns it ({@code Early.applyEarly}), while the oracle
     * hears of chosen values only from chosen marks made durable, which may come later.
     */
    private final List<java.util.PriorityQueue<VersionCheck>> versionChecks = new ArrayList<>();
    /** Per group: the digests the production {@link DigestRecorder} took, by instance then node (bounded). */
    private final List<TreeMap<Long, Map<Integer, Long>>> taken = new ArrayList<>();
    private final int nodes;
    private final boolean stateChecked;
    /** (node, group) pairs whose state already departed: reported once, not at every later instance. */
    private final java.util.Set<String> departed = new java.util.HashSet<>();
    private long now;

    /**
     * @param stateChecked whether (b) also compares every replica's state after every instance; off
     *     only to prove that the production digest comparison alone catches a departed state
     */
    Oracle(int nodes, int groups, boolean stateChecked) {
        this.nodes = nodes;
        this.stateChecked = stateChecked;
        for (int g = 0; g < groups; g++) {
            taken.add(new TreeMap<>());
            chosen.add(new TreeMap<>());
            executed.add(new HashMap<>());
            firstExecution.add(new HashMap<>());
            digests.add(new HashMap<>());
            masters.add(new HashMap<>());
        }
        versions = new OracleVersions(groups, SimNode.STATE_MACHINE_ID);
        for (int g = 0; g < groups; g++) versionChecks.add(new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(VersionCheck::instance)));
        lastExecuted = new long[nodes + 1][groups];
        for (long[] row : lastExecuted) Arrays.fill(row, -1);
    }

    void time(long now) {
        this.now = now;
    }

    /** (a): a node learned (after its sync) that {@code value} is chosen for {@code instance}. */
    void chosen(int node, int group, long instance, byte[] value) {
        byte[] old = chosen.get(group).putIfAbsent(instance, value);
        if (old != null && !Arrays.equals(old, value))
            violation("group " + group + " instance " + instance + " chosen with two values (node " + node + " learned a different one)");
        java.util.PriorityQueue<VersionCheck> waiting = versionChecks.get(group);
        while (!waiting.isEmpty() && versions.knowsBelow(group, waiting.peek().instance(), chosen.get(group))) checkVersion(waiting.poll());
    }

    /** (b): a node's state machine executed an instance. */
    void executed(int node, int group, long instance, List<Command> commands, long digestAfter) {
        executed(node, group, instance, commands);
        Long reference = digests.get(group).putIfAbsent(instance, digestAfter);
        if (stateChecked && reference != null && reference != digestAfter && departed.add(node + "/" + group))
            violation("node " + node + " group " + group + " state after instance " + instance + " differs from another replica's (digest "
                    + Long.toHexString(digestAfter) + " vs " + Long.toHexString(reference) + ")");
    }

    /**
     * (b) as production sees it: the engine's {@link DigestRecorder} took {@code digest} on
     * {@code node} after {@code instance}; {@link DigestComparison} — the comparison the runtime uses
     * to mark a replica DIVERGED — must find the replicas in agreement.
     */
    void digestTaken(int node, int group, long instance, long digest) {
        TreeMap<Long, Map<Integer, Long>> byInstance = taken.get(group);
        Map<Integer, Long> at = byInstance.computeIfAbsent(instance, i -> new TreeMap<>());
        at.put(node, digest);
        while (byInstance.size() > 256) byInstance.pollFirstEntry();
        DigestComparison.Verdict v = DigestComparison.compare(at, nodes);
        if (v.kind() != DigestComparison.Kind.AGREE && departed.add("comparison/" + group))
            violation("the production digest comparison finds group " + group + " diverged at instance " + instance + ": "
                    + v.kind() + ", nodes " + v.differing() + " differ (digests " + at + ")");
    }

    /** The state machine's running digest: {@code previous} extended by one executed instance. */
    static long digest(long previous, long instance, List<Command> commands) {
        long h = previous * 0x9E3779B97F4A7C15L + instance;
        for (Command c : commands) {
            h = h * 31 + c.index();
            for (byte b : c.value()) h = h * 31 + b;
        }
        return h ^ (h >>> 29);
    }

    /**
     * (b) for a checkpoint: a node's state machine now stands at {@code c} (installed, or restarted
     * from it). Its prefix is executed by copy; the digest must be the agreed one at that position.
     */
    void installed(int node, SimCheckpoint c) {
        Long reference = digests.get(c.group()).get(c.position());
        if (stateChecked && (reference == null || reference != c.digest()))
            violation("node " + node + " group " + c.group() + " holds a checkpoint at " + c.position() + " whose state (digest "
                    + Long.toHexString(c.digest()) + ") is not what replicas executed up to there ("
                    + (reference == null ? "none executed it" : Long.toHexString(reference)) + ")");
        lastExecuted[node][c.group()] = c.position();
        master(node, c.group(), c.position(), c.master());
    }

    private void executed(int node, int group, long instance, List<Command> commands) {
        if (instance != lastExecuted[node][group] + 1)
            violation("node " + node + " group " + group + " executed instance " + instance + " after " + lastExecuted[node][group]);
        lastExecuted[node][group] = instance;
        List<String> seq = new ArrayList<>(commands.size());
        for (Command c : commands) seq.add(c.index() + ":" + new String(c.value(), StandardCharsets.ISO_8859_1));
        List<String> reference = executed.get(group).putIfAbsent(instance, seq);
        if (reference == null) atMostOnce(group, instance, commands);
        if (reference != null && !reference.equals(seq))
            violation("node " + node + " group " + group + " executed " + seq + " at instance " + instance + " where another replica executed " + reference);
    }

    /**
     * (e): every request executes at most once: a client's value (unique per request) reaching the
     * state machine at a second instance means a request chosen twice executed twice.
     */
    private void atMostOnce(int group, long instance, List<Command> commands) {
        for (Command c : commands) {
            String v = new String(c.value(), StandardCharsets.ISO_8859_1);
            Long first = firstExecution.get(group).putIfAbsent(v, instance);
            if (first != null && first != instance)
                violation("group " + group + " executed request " + v + " at instance " + first + " and again at " + instance);
        }
    }

    /** (d): a node's state machine of {@code version} was called for {@code instance}. */
    void executedWith(int node, int group, long instance, boolean emptyBatch, String version) {
        VersionCheck check = new VersionCheck(node, group, instance, emptyBatch, version);
        if (versions.knowsBelow(group, instance, chosen.get(group))) checkVersion(check);
        else if (versionChecks.get(group).size() < VERSION_CHECKS_WAITING_MAX) versionChecks.get(group).add(check);
        else violation("group " + group + ": " + VERSION_CHECKS_WAITING_MAX + " executions wait for chosen marks below them"
                + " (node " + node + " executed instance " + instance + ")");
    }

    /** Executions whose check (d) waits, per group, before the run counts it a finding. */
    static final int VERSION_CHECKS_WAITING_MAX = 100_000;

    private void checkVersion(VersionCheck c) {
        String inForce;
        try {
            inForce = versions.at(c.group(), c.instance(), chosen.get(c.group()));
        } catch (IllegalStateException e) { // not the state machine's failure: the run's finding
            violation("node " + c.node() + " group " + c.group() + " executed instance " + c.instance() + ": " + e.getMessage());
            return;
        }
        if (inForce != null && !inForce.equals(c.version()))
            violation("node " + c.node() + " group " + c.group() + " executed " + (c.emptyBatch() ? "(an empty batch of) " : "")
                    + "instance " + c.instance() + " with state machine version " + c.version() + " where " + inForce + " was in force");
    }

    /** Successful activations seen so far (all groups); for the run's statistics. */
    long versionActivations() {
        return versions.activations();
    }

    /** The master in force after {@code executed} is a pure function of the log: equal on every replica. */
    void master(int node, int group, long executed, MasterInfo master) {
        MasterInfo reference = masters.get(group).putIfAbsent(executed, master);
        if (reference != null && !reference.equals(master))
            violation("node " + node + " group " + group + " has master " + master + " after instance " + executed + " where another replica had " + reference);
    }

    /** A node lost its (in-memory) state machines: it replays from instance 0. */
    void restarted(int node) {
        Arrays.fill(lastExecuted[node], -1);
    }

    /** One group of a node restarts its state machine (after installing a checkpoint). */
    void restarted(int node, int group) {
        lastExecuted[node][group] = -1;
    }

    /** (c): a client was told its value sits at (instance, index). */
    void acked(int group, long instance, int index, byte[] value) {
        Ack ack = new Ack(group, instance, index, new String(value, StandardCharsets.ISO_8859_1));
        acks.add(ack);
        checkAck(ack);
    }

    private void checkAck(Ack a) {
        List<String> seq = executed.get(a.group()).get(a.instance());
        if (seq == null || !seq.contains(a.index() + ":" + a.value()))
            violation("acknowledged " + a + " is not what replicas executed there: " + seq);
    }

    /** (c) at the end: every acknowledged proposal still sits where it was acknowledged. */
    void checkAcks() {
        for (Ack a : acks) checkAck(a);
    }

    /**
     * The memberships of {@code group} as the chosen values decide them (the production
     * {@link paxos.impl.core.ConfigTracker} fed every value chosen anywhere so far, in order), or
     * {@code null} if some instance below the highest chosen one was not heard chosen yet.
     */
    paxos.impl.core.ConfigTracker memberships(int group, paxos.api.Membership bootstrap) {
        paxos.impl.core.ConfigTracker t = paxos.impl.core.ConfigTracker.bootstrap(bootstrap, 0);
        TreeMap<Long, byte[]> values = chosen.get(group);
        long max = maxChosen(group);
        if (values.size() != max + 1) return null;
        for (Map.Entry<Long, byte[]> e : values.entrySet()) {
            for (paxos.impl.core.BatchCommand c : paxos.impl.core.BatchCodec.decode(e.getValue(), Integer.MAX_VALUE)) {
                if (c.stateMachineId() == 0) t.decide(e.getKey(), paxos.impl.core.MembershipCommand.decode(c.value()));
            }
        }
        return t;
    }

    long maxChosen(int group) {
        TreeMap<Long, byte[]> map = chosen.get(group);
        return map.isEmpty() ? -1 : map.lastKey();
    }

    long lastExecuted(int node, int group) {
        return lastExecuted[node][group];
    }

    int ackCount() {
        return acks.size();
    }

    void violation(String what) {
        if (violations.size() < 10) violations.add("t=" + now + " " + what);
    }

    List<String> violations() {
        return violations;
    }
}
