package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Availability under a network cut between real node processes: three {@code NodeProcess}es on
 * 127.0.0.11/.12/.13, one sequential writer per node and group; the node leading group 0 is cut
 * off for {@value #CUT_MILLIS} ms with {@link LoopbackCut} ({@code tc} on {@code lo}; the test is
 * skipped where that is not possible, e.g. not root), then healed; then a node leading no group is
 * cut off and healed the same way. It prints the stall numbers and asserts the bounds of issue 16:
 * no healthy-side write waits more than 2 s (none times out with 504); the cut node answers new
 * writes with {@code GroupUnavailableException} (REST 503) within 2 s of the cut; every node's
 * {@code peers} (the liveness {@code /paxos/status} shows) shows the cut within 2 s; no group led
 * from the majority changes leader after either heal; the replicas converge. A second test cuts
 * only the link between two nodes (a "bridge") and measures leader flapping and stalls.
 */
class LeaderIsolationIT {
    private static final int GROUPS = 3;
    private static final long CUT_MILLIS = 5_000;
    private static final Duration BOUND = Duration.ofSeconds(60);
    /** The bound on every stall and detection measured here. */
    private static final long BOUND_MILLIS = 2_000;
    private static final String[] IPS = {"127.0.0.11", "127.0.0.12", "127.0.0.13"};

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[3];
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final List<Writer> writers = new ArrayList<>();
    private LoopbackCut cut;

    /** One write's life: start and end (nanoTime) and outcome ({@code ok} or the exception's simple name). */
    record Write(int slot, int group, long startNanos, long endNanos, String outcome) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }
    }

    /** A client writing to one node and group, one write at a time (on the pacer thread); pauses 50 ms after a failure. */
    final class Writer {
        final int slot, group;
        final List<Write> done = new ArrayList<>();
        volatile boolean running = true;
        volatile boolean idle;
        private final AtomicInteger seq = new AtomicInteger();

        Writer(int slot, int group) {
            this.slot = slot;
            this.group = group;
        }

        void next() {
            if (!running) {
                idle = true;
                return;
            }
            String id = "n" + (slot + 1) + "g" + group + "w" + seq.incrementAndGet();
            long start = System.nanoTime();
            nodes[slot].propose(group, id, id, a -> {
                synchronized (done) {
                    done.add(new Write(slot, group, start, System.nanoTime(), a.ok() ? "ok" : a.error()));
                }
                // never propose on the handle's reader thread: NodeHandle.request holds the handle's
                // lock while it waits for that thread to read its answer
                pacer.schedule(this::next, a.ok() ? 0 : 50, TimeUnit.MILLISECONDS);
            });
        }

        List<Write> writes() {
            synchronized (done) {
                return List.copyOf(done);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (cut != null) cut.close();
        for (Writer w : writers) w.running = false;
        for (NodeHandle n : nodes) if (n != null) n.quit();
        pacer.shutdownNow();
    }

    @Test
    void cuttingTheLeadersNodeOffStallsNoHealthyGroupAfterTheHealAndItsClientsGet503Fast() throws Exception {
        startWithWriters();

        int victim = leader(0, 0) - 1; // slot of group 0's leader
        assertTrue(victim >= 0, "group 0 has a leader");
        int healthy = (victim + 1) % 3;
        cut = LoopbackCut.isolate(IPS[victim]);
        long cutAt = System.nanoTime();
        // new clients of the cut node: a fresh write every 100 ms (its sequential writers are stuck
        // behind the writes they had in flight when the cut began)
        List<Write> probes = new ArrayList<>();
        AtomicInteger probeSeq = new AtomicInteger();
        java.util.concurrent.ScheduledFuture<?> probing = pacer.scheduleAtFixedRate(() -> {
            String id = "probe" + probeSeq.incrementAndGet();
            long start = System.nanoTime();
            nodes[victim].propose(0, id, id, a -> {
                synchronized (probes) {
                    probes.add(new Write(victim, 0, start, System.nanoTime(), a.ok() ? "ok" : a.error()));
                }
            });
        }, 0, 100, TimeUnit.MILLISECONDS);
        long[] detected = watchPeers(victim, cutAt); // per slot: ms until its status showed the cut
        int[] leadersBeforeHeal = new int[GROUPS];
        for (int g = 0; g < GROUPS; g++) leadersBeforeHeal[g] = leader(healthy, g);
        probing.cancel(false);
        cut.close();
        cut = null;
        long healAt = System.nanoTime();

        int changes = leaderChangesAfterHeal(victim, healthy, leadersBeforeHeal, healAt);

        // then cut a node that leads no group (a follower everywhere) and bring it back: the
        // classic disruptive rejoin, which pre-vote prevents
        int follower = -1;
        for (int slot = 0; slot < 3 && follower < 0; slot++) {
            boolean leads = false;
            for (int g = 0; g < GROUPS; g++) leads |= leader((slot + 1) % 3, g) == slot + 1;
            if (!leads) follower = slot;
        }
        int followerChanges = -1, followerMajorityLed = 0;
        if (follower >= 0) {
            int other = (follower + 1) % 3;
            int[] before = new int[GROUPS];
            for (int g = 0; g < GROUPS; g++) before[g] = leader(other, g);
            followerMajorityLed = GROUPS;
            cut = LoopbackCut.isolate(IPS[follower]);
            await().pollDelay(Duration.ofMillis(CUT_MILLIS)).atMost(Duration.ofMillis(CUT_MILLIS + 5_000)).until(() -> true);
            cut.close();
            cut = null;
            followerChanges = leaderChangesAfterHeal(follower, other, before, System.nanoTime());
        }
        for (Writer w : writers) w.running = false;
        await().atMost(Duration.ofSeconds(30)).until(() -> writers.stream().allMatch(w -> w.idle));

        long healthyMax = 0, isolatedFirstAnswer = -1, isolatedTimeoutsOfNewWrites = 0, isolated503 = 0, healthyTimeouts = 0;
        for (Writer w : writers) {
            for (Write x : w.writes()) {
                boolean during = x.endNanos() > cutAt && x.startNanos() < healAt;
                if (!during) continue;
                if (w.slot != victim) {
                    healthyMax = Math.max(healthyMax, x.millis());
                    if (x.outcome().equals("ProposalTimeoutException")) healthyTimeouts++;
                } else {
                    if (x.outcome().equals("GroupUnavailableException")) {
                        isolated503++;
                        long after = TimeUnit.NANOSECONDS.toMillis(x.endNanos() - cutAt);
                        if (isolatedFirstAnswer < 0 || after < isolatedFirstAnswer) isolatedFirstAnswer = after;
                    }
                    if (x.outcome().equals("ProposalTimeoutException") && x.startNanos() - cutAt > TimeUnit.SECONDS.toNanos(3)) {
                        isolatedTimeoutsOfNewWrites++;
                        System.out.printf("LeaderIsolationIT: timed out: write of group %d on node %d started %d ms after the cut"
                                        + " (heal at %d ms), answered after %d ms%n", x.group(), x.slot() + 1,
                                TimeUnit.NANOSECONDS.toMillis(x.startNanos() - cutAt), TimeUnit.NANOSECONDS.toMillis(healAt - cutAt),
                                x.millis());
                    }
                }
            }
        }
        // writes the cut node took before it could know (its status did not show the cut yet) may have
        // reached the others: they wait for their timeout and answer 504, which is honest; the rest must get 503 fast
        long probe503 = 0, probeMax = 0, probeMaxBefore = 0, probesBefore = 0;
        long knewAt = cutAt + TimeUnit.MILLISECONDS.toNanos(detected[victim] < 0 ? CUT_MILLIS : detected[victim]);
        synchronized (probes) {
            for (Write x : probes) {
                if (x.startNanos() >= knewAt) probeMax = Math.max(probeMax, x.millis());
                else {
                    probesBefore++;
                    probeMaxBefore = Math.max(probeMaxBefore, x.millis());
                }
                if (x.outcome().equals("ProposalTimeoutException") && x.startNanos() - cutAt > TimeUnit.SECONDS.toNanos(3))
                    isolatedTimeoutsOfNewWrites++;
                if (!x.outcome().equals("GroupUnavailableException")) continue;
                probe503++;
                long after = TimeUnit.NANOSECONDS.toMillis(x.endNanos() - cutAt);
                if (isolatedFirstAnswer < 0 || after < isolatedFirstAnswer) isolatedFirstAnswer = after;
            }
        }
        isolated503 += probe503;
        int majorityLed = (int) Arrays.stream(leadersBeforeHeal).filter(l -> l != victim + 1 && l != 0).count();
        System.out.printf("LeaderIsolationIT: cut node %d (%s) for %d ms; healthy side: longest write wait %d ms, %d timeouts (504);"
                        + " cut node: first 503 after %d ms, %d of %d new writes answered 503, %d writes started >3 s into the cut timed out;"
                        + " leader changes after the heal of %d group(s) led from the majority: %d%n",
                victim + 1, IPS[victim], CUT_MILLIS, healthyMax, healthyTimeouts, isolatedFirstAnswer, isolated503, probes.size(),
                isolatedTimeoutsOfNewWrites, majorityLed, changes);

        long healthyDetect = 0; // the slower healthy node; -1 if one never showed the cut
        for (int slot = 0; slot < 3; slot++)
            if (slot != victim) healthyDetect = detected[slot] < 0 || healthyDetect < 0 ? -1 : Math.max(healthyDetect, detected[slot]);
        System.out.printf("LeaderIsolationIT: status shows node %d unreachable after %s ms (per node 1..3; the cut node's own"
                        + " entry: all its peers unreachable); cut node: longest wait of a new write started once it showed the cut"
                        + " %d ms, of the %d started before %d ms%n",
                victim + 1, Arrays.toString(detected), probeMax, probesBefore, probeMaxBefore);
        System.out.printf("LeaderIsolationIT: follower node %d cut for %d ms and healed: leader changes of %d group(s): %d%n",
                follower + 1, CUT_MILLIS, followerMajorityLed, followerChanges);

        // the bounds (measured 0.6-1.0 s here; 2 s leaves room for a loaded machine)
        assertTrue(healthyMax <= BOUND_MILLIS, "no healthy-side write waits more than 2 s: " + healthyMax);
        assertEquals(0, healthyTimeouts, "no healthy-side write times out (504)");
        assertTrue(isolatedFirstAnswer >= 0 && isolatedFirstAnswer <= BOUND_MILLIS,
                "the cut node answers new writes with GroupUnavailableException (503) within 2 s: " + isolatedFirstAnswer);
        assertTrue(probeMax <= BOUND_MILLIS, "once its status shows the cut, the cut node answers every new write within 2 s: "
                + probeMax);
        assertTrue(healthyDetect >= 0 && healthyDetect <= BOUND_MILLIS,
                "the healthy nodes' status shows the cut node unreachable within 2 s: " + Arrays.toString(detected));
        assertTrue(detected[victim] >= 0 && detected[victim] <= BOUND_MILLIS,
                "the cut node's status shows its peers unreachable within 2 s: " + Arrays.toString(detected));
        assertEquals(0, isolatedTimeoutsOfNewWrites, "new writes on the cut node are refused, not left to time out (504)");
        assertEquals(0, changes, "no leader change of a group led from the majority after the heal");
        assertTrue(followerChanges <= 0, "a follower coming back deposes no leader: " + followerChanges);
        // safety and convergence: every replica reaches the same executed state of every group
        for (int g = 0; g < GROUPS; g++) {
            String q = "status " + g;
            await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).until(() -> {
                String[] s = nodes[0].request(q);
                return Arrays.equals(s, nodes[1].request(q)) && Arrays.equals(s, nodes[2].request(q));
            });
        }
    }

    /** Starts the three nodes and one writer per node and group; returns once every writer wrote 5 times. */
    private void startWithWriters() throws Exception {
        assumeTrue(LoopbackCut.available(), "needs root and tc on lo without a qdisc of its own");
        String modulePath = MultiProcessClusterIT.modulePath();
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 3; i++) m.append(i == 0 ? "" : ",").append(i + 1).append('@').append(IPS[i]).append(':').append(MultiProcessClusterIT.freePort(IPS[i]));
        for (int i = 0; i < 3; i++)
            nodes[i] = NodeHandle.start(modulePath, i + 1, m.toString(), dir.resolve("node-" + (i + 1)), "--groups", String.valueOf(GROUPS),
                    "--proposal-timeout-millis", "10000", "--listen-host", IPS[i]);
        for (int slot = 0; slot < 3; slot++) for (int g = 0; g < GROUPS; g++) writers.add(new Writer(slot, g));
        writers.forEach(w -> pacer.execute(w::next));
        await().atMost(BOUND).until(() -> writers.stream().allMatch(w -> w.writes().stream().filter(x -> x.outcome().equals("ok")).count() >= 5));
    }

    /**
     * A "bridge": only the link between group 0's leader and one other node is cut (both still
     * reach the third) for {@value #CUT_MILLIS} ms, then healed. Measures (prints) leader changes
     * during the cut and the 5 s after the heal, the longest wait of a write per node, and the
     * longest time without a completed write per group; asserts only that the replicas converge.
     */
    @Test
    void aCutBetweenTwoNodesIsMeasuredForLeaderFlapping() throws Exception {
        startWithWriters();
        int a = leader(0, 0) - 1;
        assertTrue(a >= 0, "group 0 has a leader");
        int b = (a + 1) % 3, bridge = (a + 2) % 3;
        int[] before = new int[GROUPS];
        for (int g = 0; g < GROUPS; g++) before[g] = leader(bridge, g);
        cut = LoopbackCut.between(IPS[a], IPS[b]);
        long cutAt = System.nanoTime();
        int during = leaderChanges(bridge, before, cutAt, CUT_MILLIS);
        int[] atHeal = new int[GROUPS];
        for (int g = 0; g < GROUPS; g++) atHeal[g] = leader(bridge, g);
        cut.close();
        cut = null;
        long healAt = System.nanoTime();
        int after = leaderChanges(bridge, atHeal, healAt, 5_000);
        long endAt = System.nanoTime();
        for (Writer w : writers) w.running = false;
        await().atMost(Duration.ofSeconds(30)).until(() -> writers.stream().allMatch(w -> w.idle));

        long[] longestWait = new long[3];
        long[] longestGap = new long[GROUPS];
        long[] timeouts = new long[3];
        for (int g = 0; g < GROUPS; g++) {
            List<Long> ends = new ArrayList<>(List.of(cutAt, endAt));
            for (Writer w : writers) {
                for (Write x : w.writes()) {
                    if (x.endNanos() < cutAt || x.startNanos() > endAt) continue;
                    if (w.group == g) {
                        longestWait[w.slot] = Math.max(longestWait[w.slot], x.millis());
                        if (x.outcome().equals("ProposalTimeoutException")) timeouts[w.slot]++;
                        if (x.outcome().equals("ok") && x.endNanos() <= endAt) ends.add(x.endNanos());
                    }
                }
            }
            java.util.Collections.sort(ends);
            for (int i = 1; i < ends.size(); i++)
                longestGap[g] = Math.max(longestGap[g], TimeUnit.NANOSECONDS.toMillis(ends.get(i) - ends.get(i - 1)));
        }
        System.out.printf("LeaderIsolationIT bridge: link %d-%d cut for %d ms (node %d reaches both); leader changes during the cut %d,"
                        + " in the 5 s after the heal %d; longest write wait per node 1..3 %s ms, timeouts (504) %s;"
                        + " longest time without a completed write per group %s ms%n",
                a + 1, b + 1, CUT_MILLIS, bridge + 1, during, after, Arrays.toString(longestWait), Arrays.toString(timeouts),
                Arrays.toString(longestGap));
        for (int g = 0; g < GROUPS; g++) {
            String q = "status " + g;
            await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).until(() -> {
                String[] st = nodes[0].request(q);
                return Arrays.equals(st, nodes[1].request(q)) && Arrays.equals(st, nodes[2].request(q));
            });
        }
    }

    /** Leader changes of every group, as node {@code observer} sees them, for {@code millis} from {@code fromNanos}. */
    private int leaderChanges(int observer, int[] before, long fromNanos, long millis) throws Exception {
        int changes = 0;
        int[] last = before.clone();
        while (System.nanoTime() - fromNanos < TimeUnit.MILLISECONDS.toNanos(millis)) {
            for (int g = 0; g < GROUPS; g++) {
                int now = leader(observer, g);
                if (now != 0 && now != last[g]) changes++;
                if (now != 0) last[g] = now;
            }
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
        return changes;
    }

    /**
     * Leader changes, as node {@code observer} sees them during the 5 s after {@code healAt}, of
     * the groups whose leader in {@code before} was not {@code victim}'s node.
     */
    private int leaderChangesAfterHeal(int victim, int observer, int[] before, long healAt) throws Exception {
        int changes = 0;
        int[] last = before.clone();
        while (System.nanoTime() - healAt < TimeUnit.SECONDS.toNanos(5)) {
            for (int g = 0; g < GROUPS; g++) {
                int now = leader(observer, g);
                if (before[g] != victim + 1 && now != 0 && now != last[g]) changes++;
                if (now != 0) last[g] = now;
            }
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
        return changes;
    }

    /**
     * Until {@value #CUT_MILLIS} ms after {@code cutAt}, polls every node's {@code peers} every
     * 50 ms; per slot, the milliseconds after the cut until it first showed the cut (a healthy node:
     * the victim's node unreachable; the victim: every peer unreachable), {@code -1} if never.
     */
    private long[] watchPeers(int victim, long cutAt) throws Exception {
        long[] detected = {-1, -1, -1};
        while (System.nanoTime() - cutAt < TimeUnit.MILLISECONDS.toNanos(CUT_MILLIS)) {
            for (int slot = 0; slot < 3; slot++) {
                if (detected[slot] >= 0) continue;
                String[] p = nodes[slot].request("peers");
                boolean shows = true;
                for (int i = 2; i < p.length; i++) {
                    String[] f = p[i].split(":");
                    boolean reachable = Boolean.parseBoolean(f[1]);
                    if (slot == victim ? reachable : Integer.parseInt(f[0]) == victim + 1 && reachable) shows = false;
                }
                if (shows) detected[slot] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
            }
            await().pollDelay(Duration.ofMillis(50)).until(() -> true);
        }
        return detected;
    }

    private int leader(int slot, int group) throws Exception {
        return Integer.parseInt(nodes[slot].request("leader " + group)[2]);
    }
}
