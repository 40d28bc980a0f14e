package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on 127.0.0.1, started with {@code java --module-path ... -m
 * paxos.node/paxos.node.tool.NodeProcess} (so the bnd-generated module descriptors are proven),
 * real LevelDB files with fsync, real sockets, SIGKILL. A client workload writes through one node;
 * the test kills a node that clients do not use and restarts it, then kills the node clients
 * write through, and checks at the end that every acknowledged write is in every replica's log
 * at its acknowledged position, that no value was executed twice, and that the replicas agree.
 */
class MultiProcessClusterIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int WINDOW = 32;

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[3];
    private String members;
    private String modulePath;

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeHandle n : nodes) if (n != null) n.quit();
    }

    @Test
    void acknowledgedWritesSurviveKillNineOfAFollowerAndOfTheNodeClientsUse() throws Exception {
        modulePath = modulePath();
        members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        for (int slot = 0; slot < 3; slot++) start(slot);

        Workload clients = new Workload(nodes, 0, WINDOW);
        try {
            // steady state: 10,000 acknowledged writes after a warm-up; count log lines meanwhile
            awaitAcked(clients, 500);
            // the last node to start may still be logging its start (connections, peers' incarnations,
            // the first activation): the steady window begins once the logs were quiet for a second
            long[] seen = {-1, System.nanoTime()};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long lines = stderrLines();
                if (lines != seen[0]) {
                    seen[0] = lines;
                    seen[1] = System.nanoTime();
                }
                return System.nanoTime() - seen[1] >= 1_000_000_000L;
            });
            long linesBefore = stderrLines();
            int ackedBefore = clients.acked();
            long started = System.nanoTime();
            awaitAcked(clients, ackedBefore + 10_000);
            long steadyLines = stderrLines() - linesBefore;
            System.out.printf("steady state: %d writes in %d ms, %d log lines (INFO+) from 3 processes%n",
                    clients.acked() - ackedBefore, (System.nanoTime() - started) / 1_000_000, steadyLines);
            assertEquals(0, steadyLines, "log lines at INFO or above during 10,000 steady-state proposals");

            // kill -9 a node the clients do not write through, keep writing, restart it: it catches up
            int follower = (clients.target() + 2) % 3;
            nodes[follower].kill9();
            awaitAcked(clients, clients.acked() + 1_500);
            start(follower);
            awaitAcked(clients, clients.acked() + 1_500);
            int proposing = clients.target();
            await().atMost(BOUND).until(() -> executed(follower) >= executed(proposing) - 1
                    && executed(follower) > 0);

            // kill -9 the node the clients write through: they move to another node and writes continue
            nodes[proposing].kill9();
            int ackedAtKill = clients.acked();
            awaitAcked(clients, ackedAtKill + 1_500);
            assertTrue(clients.target() != proposing, "clients moved to another node");
            start(proposing);
            awaitAcked(clients, clients.acked() + 500);
        } finally {
            clients.close();
        }
        clients.drain(WINDOW, 20_000); // every proposal answered: the acknowledged set is final
        ReplicaCheck.verify(List.of(nodes), clients.ackedValues(), BOUND);
    }

    private void start(int slot) throws Exception {
        nodes[slot] = NodeHandle.start(modulePath, slot + 1, members, dir.resolve("node-" + (slot + 1)),
                "--proposal-timeout-millis", "3000");
    }

    private long executed(int slot) throws Exception {
        return Long.parseLong(nodes[slot].request("status 0")[2]);
    }

    private long stderrLines() {
        return Arrays.stream(nodes).mapToLong(NodeHandle::stderrLines).sum();
    }

    private static void awaitAcked(Workload clients, int count) {
        await().atMost(BOUND).until(() -> clients.acked() >= count);
    }

    static int freePort() throws Exception {
        return freePort(InetAddress.getLoopbackAddress().getHostAddress());
    }

    /**
     * A port free on {@code ip} (an address of 127.0.0.0/8) right now, below Linux's ephemeral range
     * (32768 and up). Why: a node process starts seconds after its port was picked, while the other
     * nodes already dial it; a port from the ephemeral range could meanwhile be taken as the local
     * end of one of those connections (seen once in CI: "bind ... Address already in use").
     */
    static int freePort(String ip) throws Exception {
        InetAddress address = InetAddress.getByName(ip);
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            try (ServerSocket s = new ServerSocket(port, 1, address)) {
                return s.getLocalPort();
            } catch (java.io.IOException taken) {
                // in use: try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        }
    }

    /**
     * The packaged jars of the paxos modules and Netty from this test's class path. Failsafe runs
     * after {@code package}, so these are the bnd-built jars with their module-info.
     */
    static String modulePath() {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean ours = name.matches("paxos\\.(api|impl|node|leveldb|storage\\.leveldb|transport\\.netty)-.*\\.jar");
            if (ours || name.startsWith("netty-")) jars.add(entry);
            if (name.equals("classes") && (entry.contains("paxos.impl") || entry.contains("paxos.node")))
                throw new IllegalStateException("a paxos module is on the class path as a directory (" + entry
                        + "): run through `mvn verify` so that the packaged jar with module-info is used");
        }
        assertTrue(jars.stream().anyMatch(j -> j.contains("paxos.impl")), "paxos.impl jar on the class path: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.contains("paxos.node")), "paxos.node jar on the class path: " + jars);
        assertTrue(jars.stream().allMatch(j -> Files.isRegularFile(Path.of(j))), "module path jars exist: " + jars);
        return String.join(File.pathSeparator, jars);
    }
}
