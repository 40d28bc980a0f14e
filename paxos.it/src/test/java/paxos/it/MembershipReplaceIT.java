package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing a dead machine without stopping the cluster (issue 14), with real node processes on
 * the module path, real LevelDB files with fsync and SIGKILL: three nodes on 127.0.0.21-.23 under
 * client load (through node 1); node 3 is SIGKILLed and its data directory deleted; node 4
 * (127.0.0.24) starts with {@code --start-mode join} (a fresh incarnation, waiting), and the operator
 * action "replace 3 by 4" runs on node 1 through the same code as {@code PUT /paxos/members/4?replace=3}
 * ({@code paxos.impl.runtime.MemberOperation}). The load goes on all along: the test prints the
 * longest time without an acknowledgement and how long the replace took end to end, and requires
 * the pause to stay under {@value #PAUSE_MAX_MILLIS} ms. At the end every acknowledged write is on
 * 1, 2 and 4 at its acknowledged position with equal digests, and node 3 started again on an empty
 * directory as a member (no {@code --join}) refuses to start with the message that says what to do.
 *
 * <p>Addresses 127.0.0.21-.24 (another test cuts 127.0.0.11-.13 with tc).
 */
class MembershipReplaceIT {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final int WINDOW = 32;
    /** "The load never stops for longer than a few seconds" (issue 14); generous for a loaded 2-core machine. */
    private static final long PAUSE_MAX_MILLIS = 10_000;
    private static final String[] IPS = {"127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"};

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[4];

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeHandle n : nodes) if (n != null) n.quit();
    }

    @Test
    void aDeadNodeIsReplacedByAJoiningOneUnderLoadAndItsWipedDirectoryIsRefused() throws Exception {
        String modulePath = MultiProcessClusterIT.modulePath();
        String[] address = new String[4];
        for (int i = 0; i < 4; i++) address[i] = IPS[i] + ":" + MultiProcessClusterIT.freePort(IPS[i]);
        String bootstrap = "1@" + address[0] + ",2@" + address[1] + ",3@" + address[2];
        for (int i = 0; i < 3; i++) nodes[i] = start(modulePath, i, bootstrap, "bootstrap");

        Workload clients = new Workload(nodes, 0, WINDOW);
        long replaceMillis;
        long endToEndMillis;
        long pauseMillis;
        try {
            awaitAcked(clients, 2_000);
            assertEquals("members 0 0 1:voter:", members(0).substring(0, "members 0 0 1:voter:".length()));

            // the machine of node 3 dies with its disk
            nodes[2].kill9();
            deleteTree(dir.resolve("node-3"));
            clients.resetPause();
            long lostAt = System.nanoTime();
            awaitAcked(clients, clients.acked() + 500); // 1 + 2 are a quorum of 3

            // a new machine joins: its list names the peers and itself; the log decides its membership
            nodes[3] = start(modulePath, 3, bootstrap + ",4@" + address[3], "join");
            long startedAt = System.nanoTime();
            CompletableFuture<String[]> answer = new CompletableFuture<>();
            nodes[0].call("r1", "member r1 replace 3 4 " + address[3], answer::complete);
            String[] replaced = answer.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            replaceMillis = (System.nanoTime() - startedAt) / 1_000_000;
            assertEquals("ok", replaced[0], "replace answered " + String.join(" ", replaced));
            String[] inForce = nodes[0].request("members 0");
            assertTrue(List.of(inForce).subList(3, inForce.length).stream().map(m -> m.split(":")[0]).toList()
                    .equals(List.of("1", "2", "4")), "node 1's membership in force: " + String.join(" ", inForce));
            assertTrue(Long.parseLong(inForce[2]) > 0, "configVersion is the instance of the change: " + inForce[2]);
            // the change carries the incarnation node 4 proved in its handshake with node 1 (the
            // operator gave only host:port): peers admit node 4 only under it
            String incarnation4 = incarnation(dir.resolve("node-4"));
            assertTrue(List.of(inForce).contains("4:voter:" + incarnation4), "node 4 added with the incarnation of its"
                    + " data directory " + incarnation4 + ": " + String.join(" ", inForce));
            // node 4 has caught up (and knows itself as a member): the replace is complete end to end
            await().atMost(BOUND).until(() -> members(3).contains(" 4:voter:") && executed(3) >= executed(0) - 1);
            endToEndMillis = (System.nanoTime() - lostAt) / 1_000_000;

            // and the load goes on in the new configuration {1, 2, 4}
            awaitAcked(clients, clients.acked() + 1_000);
            pauseMillis = clients.longestPauseMillis();
        } finally {
            clients.close();
        }
        clients.drain(WINDOW, 20_000);
        System.out.printf("replace of a dead node under load: replace call %d ms after node 4 started, %d ms from the"
                + " loss of node 3 to node 4 caught up; longest pause between acknowledged writes %d ms%n",
                replaceMillis, endToEndMillis, pauseMillis);
        assertTrue(pauseMillis < PAUSE_MAX_MILLIS, "writes paused " + pauseMillis + " ms");
        ReplicaCheck.verify(List.of(nodes[0], nodes[1], nodes[3]), clients.ackedValues(), BOUND);

        // node 3's machine comes back with an empty disk, started as before (a member, no --join): refused
        Files.createDirectories(dir.resolve("node-3"));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> start(modulePath, 2, bootstrap, "member"));
        assertTrue(refused.getMessage().contains("node 3 refuses to start") && refused.getMessage().contains("--join")
                && refused.getMessage().contains("replace=3"), refused.getMessage());
        try (Stream<Path> left = Files.list(dir.resolve("node-3"))) {
            assertEquals(0, left.count(), "a refused start creates nothing");
        }
    }

    private NodeHandle start(String modulePath, int slot, String members, String mode) throws Exception {
        return NodeHandle.start(modulePath, slot + 1, members, dir.resolve("node-" + (slot + 1)),
                "--proposal-timeout-millis", "3000", "--listen-host", IPS[slot], "--start-mode", mode);
    }

    /** {@code members 0 <configVersion> <id>:<role>:<incarnation> ...} of the node in {@code slot}. */
    private String members(int slot) throws Exception {
        return String.join(" ", nodes[slot].request("members 0"));
    }

    /** The incarnation in the node's data directory ({@code node.properties}). */
    private static String incarnation(Path dataDir) throws Exception {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(dataDir.resolve("node.properties"))) {
            p.load(in);
        }
        return p.getProperty("incarnation");
    }

    private long executed(int slot) throws Exception {
        return Long.parseLong(nodes[slot].request("status 0")[2]);
    }

    private static void awaitAcked(Workload clients, int count) {
        await().atMost(BOUND).until(() -> clients.acked() >= count);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        assertTrue(Files.notExists(root));
    }
}
