package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6 with real processes: three {@code NodeProcess} JVMs with the file-backed, checkpointable
 * {@code FileChecksumStateMachine}, two groups, a retained log of 20 instances in 16 KiB segments.
 * Node C (slot 2) is down while the others write far more than that to group 0, so every peer
 * deletes the log C needs; C then catches up through a checkpoint, installed by restarting only
 * that group's state machine inside the same JVM.
 */
class CheckpointCatchUpIT {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final int C = 2;
    private static final int VALUE_BYTES = 1000;

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[3];
    private String members;
    private String modulePath;

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeHandle n : nodes) if (n != null) n.quit();
    }

    @Test
    void aNodeBehindEveryRetainedLogCatchesUpThroughACheckpointInTheSameProcess() throws Exception {
        long behindAt = cluster(256 << 10);
        long startNanos = System.nanoTime();
        start(C);
        NodeHandle c = nodes[C];
        long pid = c.pid();
        await().atMost(BOUND).until(() -> transfer(c, "receiving") != null);
        assertEquals("CATCHING_UP", c.request("state 0")[2], "group 0 on C while it receives the checkpoint");

        // group 1 on C executes new commands while group 0 is still receiving its checkpoint
        write(c, 1, "during", 20, 10);
        long g1 = executed(0, 1);
        await().atMost(BOUND).until(() -> executed(C, 1) >= g1);
        String[] during = transfer(c, "receiving");
        assertTrue(during != null && during[8].equals("-"), "group 1 executed while group 0's transfer ran: "
                + String.join(" ", c.request("checkpoints")));

        await().atMost(Duration.ofSeconds(90)).until(() -> transfer(c, "done") != null);
        String[] done = transfer(c, "done");
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        assertEquals("INSTALLED", done[8], "outcome");
        assertTrue(c.alive() && c.pid() == pid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "C's process " + pid + " stayed the same through the install");
        long installedAt = Long.parseLong(done[6]);
        assertTrue(installedAt > behindAt, "checkpoint beyond where C stopped");
        assertEquals(installedAt, Long.parseLong(c.request("opened 0")[2]), "state machine reopened on the checkpoint");
        System.out.printf("checkpoint catch-up (3 processes): C started -> installed at instance %d in %d ms, "
                + "%d bytes at %d B/s; C pid %d unchanged%n", installedAt, millis, Long.parseLong(done[4]),
                Long.parseLong(done[7]), pid);

        write(c, 0, "after", 30, VALUE_BYTES);
        awaitSame(0);
        awaitSame(1);
        assertEquals(pid, c.pid());
        assertTrue(c.alive(), "C never exited");
    }

    /**
     * SIGKILL of the receiving node at four points — at a random fraction of the transfer (twice),
     * while the install stops the state machine (before the swap: old state), and while it
     * reopens it (after the swap: new state) — each followed by a restart. After each restart the
     * state machine holds exactly the old state or exactly the checkpoint; in the end C converges.
     */
    @Test
    void killNineOfTheReceiverDuringTransferAndInstallLeavesOldOrNewStateAndConverges() throws Exception {
        long behindAt = cluster(1 << 20);
        Path machineDir = dir.resolve("node-3/statemachines/1/group-0");
        Path incoming = machineDir.resolve("data.ckpt-incoming");
        Path installMarker = dir.resolve("node-3/checkpoint/group-0.install");
        Set<Long> checkpointAt = ConcurrentHashMap.newKeySet();
        java.util.Random random = new java.util.Random();
        List<String> report = new ArrayList<>();
        boolean expectNew = false;
        for (String point : List.of("transfer", "transfer", "install-before-swap", "install-after-swap")) {
            startC("--restart-delay-millis", "1500");
            NodeHandle c = nodes[C];
            long opened = Long.parseLong(c.request("opened 0")[2]);
            assertTrue(expectNew ? checkpointAt.contains(opened) : opened == behindAt,
                    "after the kill, group 0's state machine opened on " + (expectNew ? "a whole checkpoint "
                            + checkpointAt : "the old state " + behindAt) + ", not " + opened);
            double fraction = 0.1 + 0.8 * random.nextDouble();
            await().atMost(BOUND).pollInterval(Duration.ofMillis(20)).until(() -> {
                String[] t = transfer(c, point.equals("transfer") ? "receiving" : "installing");
                if (t == null) return false;
                if (Long.parseLong(t[6]) >= 0) checkpointAt.add(Long.parseLong(t[6]));
                return switch (point) {
                    case "transfer" -> Long.parseLong(t[5]) > 0 && Long.parseLong(t[4]) >= fraction * Long.parseLong(t[5]);
                    case "install-before-swap" -> Files.exists(incoming); // stopping the state machine
                    default -> !Files.exists(incoming); // renamed into place: the state machine is reopening
                };
            });
            c.kill9();
            // a kill between the rename and the DONE marker rolls the install back (old state, also
            // correct): what the restart must open is decided by the files the kill left
            boolean swapped = !Files.exists(incoming) && !installPrepared(installMarker);
            report.add(point + (point.equals("transfer") ? String.format("@%.0f%%", fraction * 100) : "")
                    + " (opened at " + opened + (swapped ? ", killed with the new state in place" : "") + ")");
            expectNew = swapped;
        }
        startC();
        NodeHandle c = nodes[C];
        long opened = Long.parseLong(c.request("opened 0")[2]);
        assertTrue(expectNew ? checkpointAt.contains(opened) : opened == behindAt, "killed after the swap: reopened on "
                + (expectNew ? "the checkpoint " + checkpointAt : "the old state " + behindAt + " (rolled back)") + ", not " + opened);
        write(nodes[0], 0, "after", 30, VALUE_BYTES);
        awaitSame(0);
        awaitSame(1);
        System.out.printf("kill -9 of the receiver at: %s; last start opened at %d; converged at %s%n",
                report, opened, String.join(" ", c.request("status 0")));
    }

    /**
     * Starts three nodes, writes a little to both groups, stops C with SIGKILL, writes 2,000
     * instances of ~1 KB to group 0, waits until both peers deleted the log C needs and restarts
     * them (a core keeps chosen values in memory; after a restart they hold only what their log
     * retains). Returns the group-0 position C stopped at.
     */
    private long cluster(int checkpointBytesPerSecond) throws Exception {
        modulePath = MultiProcessClusterIT.modulePath();
        members = "1@127.0.0.1:" + MultiProcessClusterIT.freePort() + ",2@127.0.0.1:" + MultiProcessClusterIT.freePort()
                + ",3@127.0.0.1:" + MultiProcessClusterIT.freePort();
        this.checkpointRate = checkpointBytesPerSecond;
        for (int slot = 0; slot < 3; slot++) start(slot);
        // fewer instances than the retained log: C needs no checkpoint yet (a transfer now would pin the peers' log)
        write(nodes[0], 0, "a", 10, 100);
        write(nodes[0], 1, "b", 10, 100);
        awaitSame(0);
        awaitSame(1);
        long behindAt = executed(C, 0);
        nodes[C].kill9();
        nodes[C] = null;

        write(nodes[0], 0, "c", 2000, VALUE_BYTES);
        await().atMost(BOUND).until(() -> minRetained(0) > behindAt + 1 && minRetained(1) > behindAt + 1);
        for (int slot = 0; slot < 2; slot++) {
            nodes[slot].quit();
            start(slot);
        }
        assertTrue(minRetained(0) > behindAt + 1 && minRetained(1) > behindAt + 1, "log C needs deleted on both peers");
        return behindAt;
    }

    private int checkpointRate;

    private void start(int slot, String... extra) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--groups", "2", "--state-machine", "file", "--hold-log-count", "20",
                "--segment-bytes", "16384", "--checkpoint-bytes-per-second", String.valueOf(checkpointRate),
                "--checkpoint-chunk-bytes", "32768", "--proposal-timeout-millis", "5000"));
        flags.addAll(Arrays.asList(extra));
        nodes[slot] = NodeHandle.start(modulePath, slot + 1, members, dir.resolve("node-" + (slot + 1)),
                flags.toArray(String[]::new));
    }

    private void startC(String... extra) throws Exception {
        start(C, extra);
    }

    /**
     * Proposes {@code count} fresh values of about {@code bytes} bytes through {@code via}, at most
     * 64 outstanding; a failed proposal is proposed again (the test needs the writes, not exactly-once).
     */
    private static void write(NodeHandle via, int group, String prefix, int count, int bytes) throws Exception {
        Semaphore window = new Semaphore(64);
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        String pad = "x".repeat(bytes);
        for (int attempt = 0; attempt < 5 && done.size() < count; attempt++) {
            for (int i = 0; i < count; i++) {
                if (done.contains(i)) continue;
                if (!window.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("writes stalled");
                int n = i;
                via.propose(group, prefix + i + "." + attempt, prefix + i + pad, a -> {
                    if (a.ok()) done.add(n);
                    window.release();
                });
            }
            if (!window.tryAcquire(64, 60, TimeUnit.SECONDS)) throw new IllegalStateException("writes unanswered");
            window.release(64);
        }
        assertEquals(count, done.size(), "writes of " + prefix + " to group " + group + " acknowledged");
    }

    /** Waits until all three report the same position, checksum and count for {@code group}. */
    private void awaitSame(int group) {
        await().atMost(BOUND).ignoreExceptions().until(() -> {
            String[] s0 = nodes[0].request("status " + group);
            for (NodeHandle n : nodes) if (!Arrays.equals(s0, n.request("status " + group))) return false;
            return true;
        });
    }

    /** C's latest group-0 receive transfer in {@code phase}, split at {@code :}, or null. */
    private static String[] transfer(NodeHandle n, String phase) throws Exception {
        String[] w = n.request("checkpoints");
        String[] found = null;
        for (int i = 2; i < w.length; i++) {
            String[] t = w[i].split(":", 9);
            if (t[0].equals("0") && t[1].equals("receive") && t[3].equals(phase)) found = t;
        }
        return found;
    }

    /** Whether the engine's install marker (second line: its state) says the install is not complete. */
    private static boolean installPrepared(Path marker) throws java.io.IOException {
        if (!Files.exists(marker)) return false; // finished (or never started)
        List<String> lines = Files.readAllLines(marker);
        return lines.size() > 1 && lines.get(1).equals("PREPARED");
    }

    private long executed(int slot, int group) throws Exception {
        return Long.parseLong(nodes[slot].request("status " + group)[2]);
    }

    private long minRetained(int slot) throws Exception {
        return Long.parseLong(nodes[slot].request("state 0")[3]);
    }
}
