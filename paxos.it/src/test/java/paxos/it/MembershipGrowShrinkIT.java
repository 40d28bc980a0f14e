package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing a cluster from 3 to 5 voters and shrinking it back to 3 under client load (issue 14), with
 * real node processes, real sockets on 127.0.0.31-.35 and LevelDB with fsync, every step through the
 * operator's cluster-wide actions ({@code member} commands of {@code NodeProcess}, the same
 * {@code MemberOperation} as {@code PUT/DELETE /paxos/members}), applied to both groups:
 * <ol>
 *   <li>nodes 1-3 bootstrap, nodes 4 and 5 start to join ({@code --start-mode join}) and wait;</li>
 *   <li>node 4 is added as a follower: it executes the log and serves STALE reads (holding every
 *       acknowledged write up to its position), refuses writes, and is then promoted to voter;</li>
 *   <li>node 5 is added as a voter (5 voters); then nodes 3 and 2 are removed, so the quorum of the
 *       final {1, 4, 5} needs a node that joined;</li>
 *   <li>every acknowledged write is on 1, 4 and 5 at its position with equal digests;</li>
 *   <li>node 4 restarted with its original members list (which the log overrides) reports the
 *       disagreement once as a WARNING and obeys the log; node 3, removed, started again as a member
 *       on a missing data directory refuses to start with the message that says what to do.</li>
 * </ol>
 * The load (through node 1, at most {@value #WINDOW} proposals outstanding) never stops; the test
 * prints the longest pause between acknowledgements and the time of each step.
 */
class MembershipGrowShrinkIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int WINDOW = 32;
    private static final int GROUPS = 2;
    private static final long PAUSE_MAX_MILLIS = 10_000;
    private static final String[] IPS = {"127.0.0.31", "127.0.0.32", "127.0.0.33", "127.0.0.34", "127.0.0.35"};
    private static final String DISAGREES = "differ from the membership in the log";

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[5];
    private final String[] address = new String[5];
    private final List<CompletableFuture<NodeHandle>> starting = new ArrayList<>();
    private final List<String> steps = new ArrayList<>();
    /** How long each cluster-wide action took until it was in force in every group on the node asked. */
    private final List<String> changeMillis = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    private long stepStart = System.nanoTime();

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeHandle n : nodes) if (n != null) n.quit();
        for (CompletableFuture<NodeHandle> f : starting) { // started after the test failed: stop those too
            try {
                NodeHandle n = f.get(90, TimeUnit.SECONDS);
                if (!Arrays.asList(nodes).contains(n) && n.alive()) n.quit();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // never started
            }
        }
    }

    @Test
    void growThreeToFiveAndShrinkBackUnderLoadWithAFollowerPromoted() throws Exception {
        String modulePath = MultiProcessClusterIT.modulePath();
        for (int i = 0; i < 5; i++) address[i] = IPS[i] + ":" + MultiProcessClusterIT.freePort(IPS[i]);
        String bootstrap = members(1, 2, 3);
        // nodes 1-3 start at once; 4 and 5 (which only wait to be added) while the load begins. A
        // joining node's list is the cluster's bootstrap list (where to find the peers) plus itself
        // a thread per start (the common pool has one thread on two cores)
        java.util.concurrent.Executor perStart = r -> new Thread(r, "start-node").start();
        for (int i = 0; i < 5; i++) {
            if (i == 3) {
                for (int j = 0; j < 3; j++) nodes[j] = starting.get(j).get(90, TimeUnit.SECONDS);
                step("nodes 1-3 started");
            }
            int slot = i;
            String list = i < 3 ? bootstrap : bootstrap + "," + members(i + 1);
            starting.add(CompletableFuture.supplyAsync(() -> start(modulePath, slot, list, slot < 3 ? "bootstrap" : "join"),
                    perStart));
        }

        Workload clients = new Workload(nodes, 0, WINDOW);
        long pauseMillis;
        try {
            awaitAcked(clients, 300);
            clients.resetPause();
            step("first 300 writes");
            for (int j = 3; j < 5; j++) nodes[j] = starting.get(j).get(90, TimeUnit.SECONDS);
            step("nodes 4 and 5 started to join");

            // grow: node 4 as a follower, which learns, serves STALE reads and does not take writes
            long added = member(0, "add 4 " + address[3] + " follower");
            assertEquals(List.of("1:voter", "2:voter", "3:voter", "4:follower"), roles(0, 0));
            assertEquals(roles(0, 0), roles(0, 1), "group 1 changed too");
            step("node 4 added as a follower (change at instance " + added + ")");
            followerServesStaleReads(clients);
            String[] refused = proposeOn(3, "write-on-follower");
            assertEquals("err", refused[0], "a follower takes no writes: " + String.join(" ", refused));
            step("follower served STALE reads, refused a write (" + refused[2] + ")");

            member(0, "role 4 voter");
            assertEquals(List.of("1:voter", "2:voter", "3:voter", "4:voter"), roles(0, 0));
            awaitAcked(clients, clients.acked() + 200);
            step("node 4 promoted to voter");
            member(0, "add 5 " + address[4] + " voter");
            assertEquals(List.of("1:voter", "2:voter", "3:voter", "4:voter", "5:voter"), roles(0, 0));
            for (int n = 4; n <= 5; n++) assertEquals(incarnationOnDisk(n), incarnationInForce(0, n),
                    "node " + n + " is a member under the incarnation of its data directory");
            awaitAcked(clients, clients.acked() + 200);
            step("node 5 added as a voter: 5 voters");

            // shrink: two bootstrap nodes leave; the final quorum needs the new ones
            member(0, "remove 3");
            awaitAcked(clients, clients.acked() + 200);
            long removed = member(0, "remove 2");
            for (int slot : new int[] {0, 3, 4}) {
                await().atMost(BOUND).until(() -> roles(slot, 0).equals(List.of("1:voter", "4:voter", "5:voter"))
                        && roles(slot, 1).equals(roles(slot, 0)));
            }
            assertEquals(removed, configVersion(3, 0), "node 4 has the same change in force");
            awaitAcked(clients, clients.acked() + 300);
            step("nodes 3 and 2 removed: voters 1, 4, 5");
            pauseMillis = clients.longestPauseMillis();
        } finally {
            clients.close();
        }
        clients.drain(WINDOW, 20_000);
        System.out.printf("grow 3 -> 5 and shrink 5 -> 3 under load: %d writes acknowledged, %d failed; longest pause"
                + " between acknowledged writes %d ms; membership actions (request to in force in both groups): %s; steps: %s%n",
                clients.acked(), clients.failed(), pauseMillis, changeMillis, steps);
        assertTrue(pauseMillis < PAUSE_MAX_MILLIS, "writes paused " + pauseMillis + " ms");
        ReplicaCheck.verify(List.of(nodes[0], nodes[3], nodes[4]), clients.ackedValues(), BOUND);
        step("replicas 1, 4, 5 verified");

        configuredMembersAreABootstrapOnly(modulePath);
        removedMemberOnAMissingDirectoryIsRefused(modulePath, bootstrap);
        System.out.printf("membership grow/shrink steps: %s%n", steps);
    }

    /** A STALE read on the follower: its snapshot holds every acknowledged write up to its position, and grows. */
    private void followerServesStaleReads(Workload clients) throws Exception {
        long target = clients.ackedValues().values().stream().mapToLong(Workload.Position::instance).max().orElseThrow();
        // (while it catches up, its group may not serve reads yet: "error read ...")
        await().atMost(BOUND).ignoreException(IllegalStateException.class)
                .until(() -> Long.parseLong(nodes[3].request("read 0 stale")[3]) >= target);
        String[] read = nodes[3].request("read 0 stale"); // read <g> <barrier> <executed> <checksum> <count>
        long executed = Long.parseLong(read[3]);
        assertTrue(Long.parseLong(read[2]) <= executed, "the snapshot is at or after the barrier: " + String.join(" ", read));
        List<String> log = ReplicaCheck.dump(nodes[3]);
        List<String> upTo = log.stream().filter(e -> Long.parseLong(e.split(":", 3)[0]) <= executed).toList();
        assertEquals(Long.parseLong(read[5]), upTo.size(), "the read's count is the entries executed up to its position");
        for (Map.Entry<String, Workload.Position> a : clients.ackedValues().entrySet()) {
            if (a.getValue().instance() > executed) continue;
            String entry = a.getValue().instance() + ":" + a.getValue().index() + ":" + a.getKey();
            assertTrue(upTo.contains(entry), "acknowledged " + entry + " is in the follower's STALE view");
        }
        // and the view moves on with the cluster
        await().atMost(BOUND).until(() -> Long.parseLong(nodes[3].request("read 0 stale")[3]) > executed);
    }

    /** Node 4 restarts with its original list (1, 2, 3, 4): reported once, not obeyed. */
    private void configuredMembersAreABootstrapOnly(String modulePath) throws Exception {
        nodes[3].quit();
        nodes[3] = start(modulePath, 3, members(1, 2, 3, 4), "member");
        NodeHandle n4 = nodes[3];
        await().atMost(BOUND).until(() -> n4.warnings().stream().anyMatch(l -> l.contains(DISAGREES)));
        assertEquals(List.of("1:voter", "4:voter", "5:voter"), roles(3, 0), "the log's membership is in force");
        assertEquals(List.of("1:voter", "4:voter", "5:voter"), roles(3, 1));
        String[] written = proposeOn(3, "after-restart");
        assertEquals("ok", written[0], "node 4 writes through the log's members: " + String.join(" ", written));
        List<String> warned = n4.warnings().stream().filter(l -> l.contains(DISAGREES)).toList();
        assertEquals(1, warned.size(), "one WARNING for the node (both groups disagree): " + warned);
        assertTrue(warned.get(0).startsWith("LOG WARNING ") && warned.get(0).contains("not obeyed"), warned.get(0));
        step("node 4 restarted with a stale members list: warned once, the log's membership obeyed");
    }

    /** Node 3 (removed) comes back as a member on a missing directory: refused, nothing created. */
    private void removedMemberOnAMissingDirectoryIsRefused(String modulePath, String bootstrap) throws Exception {
        nodes[2].quit();
        nodes[2] = null;
        deleteTree(dir.resolve("node-3"));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> NodeHandle.start(modulePath, 3, bootstrap, dir.resolve("node-3"), flags(2, "member")));
        assertTrue(refused.getMessage().contains("node 3 refuses to start") && refused.getMessage().contains("missing or empty")
                && refused.getMessage().contains("--join"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("node-3")), "a refused start creates nothing");
        step("node 3 on a missing directory refused");
    }

    private NodeHandle start(String modulePath, int slot, String members, String mode) {
        try {
            return NodeHandle.start(modulePath, slot + 1, members, dir.resolve("node-" + (slot + 1)), flags(slot, mode));
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private String[] flags(int slot, String mode) {
        return new String[] {"--proposal-timeout-millis", "3000", "--listen-host", IPS[slot], "--start-mode", mode,
                "--groups", String.valueOf(GROUPS)};
    }

    /** {@code id@host:port,...} of the nodes named. */
    private String members(int... ids) {
        return String.join(",", Arrays.stream(ids).mapToObj(id -> id + "@" + address[id - 1]).toList());
    }

    /** Runs a cluster-wide {@code member} action on the node in {@code slot}; returns group 0's configVersion. */
    private long member(int slot, String action) throws Exception {
        CompletableFuture<String[]> answer = new CompletableFuture<>();
        String id = "m" + calls.incrementAndGet();
        long t0 = System.nanoTime();
        nodes[slot].call(id, "member " + id + " " + action, answer::complete);
        String[] a = answer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        changeMillis.add(action.split(" ")[0] + " " + action.split(" ")[1] + ": " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals("ok", a[0], "member " + action + " answered " + String.join(" ", a));
        String[] versions = a[2].split(",");
        assertEquals(GROUPS, versions.length, "one change per group: " + a[2]);
        return Long.parseLong(versions[0]);
    }

    private String[] proposeOn(int slot, String value) throws Exception {
        CompletableFuture<String[]> answer = new CompletableFuture<>();
        nodes[slot].call(value, "propose 0 " + value + " " + value, answer::complete);
        return answer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@code id:role} of the membership in force in {@code group} on the node in {@code slot}. */
    private List<String> roles(int slot, int group) throws Exception {
        String[] m = nodes[slot].request("members " + group); // members <g> <configVersion> <id>:<role>:<incarnation> ...
        return Arrays.stream(m, 3, m.length).map(x -> x.substring(0, x.lastIndexOf(':'))).toList();
    }

    /** The incarnation node {@code id} has in group 0's membership in force on the node in {@code slot}. */
    private String incarnationInForce(int slot, int id) throws Exception {
        String[] m = nodes[slot].request("members 0");
        return Arrays.stream(m, 3, m.length).filter(x -> x.startsWith(id + ":")).map(x -> x.substring(x.lastIndexOf(':') + 1))
                .findFirst().orElseThrow();
    }

    private String incarnationOnDisk(int id) throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(dir.resolve("node-" + id).resolve("node.properties"))) {
            p.load(in);
        }
        return p.getProperty("incarnation");
    }

    private long configVersion(int slot, int group) throws Exception {
        return Long.parseLong(nodes[slot].request("members " + group)[2]);
    }

    private void step(String what) {
        long now = System.nanoTime();
        steps.add(what + " " + (now - stepStart) / 1_000_000 + " ms");
        stepStart = now;
    }

    private static void awaitAcked(Workload clients, int count) {
        await().atMost(BOUND).until(() -> clients.acked() >= count);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
