package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.GroupStatus;
import paxos.api.ReadConsistency;
import paxos.impl.runtime.TransferStatus;

/**
 * Issue #6 end to end: node 3 is down while the others write more than the retained log; when it
 * comes back, every peer has deleted the instances it needs, so it pulls a checkpoint, installs it
 * by restarting only that group's state machine (same JVM), and continues from the log. Real
 * LevelDB files (log and KV), real Netty sockets on 127.0.0.1.
 */
class CheckpointCatchUpTest {
    @TempDir Path dir;
    private KvCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    @Test
    void aNodeBehindEveryRetainedLogCatchesUpThroughACheckpointWhileItsOtherGroupKeepsExecuting() throws Exception {
        cluster = new KvCluster(dir, 20, 2);
        // slow enough to watch group 1 execute during the transfer, fast enough for a test
        cluster.tuner = c -> c.withBytesPerSecondMax(128 << 10).withChunks(64 << 10, 4).withTiming(10_000, 10_000, 500);
        for (int id = 1; id <= 3; id++) cluster.start(id);
        cluster.write(1, 0, "a", 50, 100);
        cluster.write(1, 1, "b", 50, 100);
        awaitSame(0, List.of(1, 2, 3));
        awaitSame(1, List.of(1, 2, 3));
        long behindAt = cluster.nodes[3].node().status(0).executedInstance();
        cluster.stop(3);

        cluster.write(1, 0, "c", 1500, 1000); // ~1.5 MB of state, far more instances than holdLogCount
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.nodes[1].node().status(0).minRetainedInstance() > behindAt + 1
                && cluster.nodes[2].node().status(0).minRetainedInstance() > behindAt + 1);
        // restart the peers too: a core keeps chosen values in memory, so without a restart they could still
        // hand node 3 the old instances in phase-1 replies; after one, they hold only what their log retains
        for (int id = 1; id <= 2; id++) {
            cluster.stop(id);
            cluster.start(id);
        }
        awaitSame(0, List.of(1, 2));
        assertTrue(cluster.nodes[1].node().status(0).minRetainedInstance() > behindAt + 1, "log deleted on node 1");

        long startNanos = System.nanoTime();
        EmbeddedNode c = cluster.start(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiving(c) != null);
        assertTrue(List.of(paxos.api.GroupState.CATCHING_UP).contains(c.node().status(0).state()), "state while receiving");
        // group 1 on node 3 executes new commands while group 0 is still receiving its checkpoint
        cluster.write(1, 1, "during", 20, 100);
        long g1 = cluster.nodes[1].node().status(1).executedInstance();
        await().atMost(Duration.ofSeconds(20)).until(() -> c.node().status(1).executedInstance() >= g1);
        TransferStatus during = receiving(c);
        assertTrue(during != null && during.outcome() == null, "group 1 executed while group 0's transfer was still running: " + during);

        await().atMost(Duration.ofSeconds(120)).until(() -> c.engine().transfers().stream()
                .anyMatch(t -> t.group() == 0 && "receive".equals(t.direction()) && t.outcome() == paxos.impl.runtime.TransferOutcome.INSTALLED));
        long readAt = c.node().readBarrier(0, ReadConsistency.LINEARIZABLE).toCompletableFuture().get(60, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        assertTrue(cluster.kv(3, 0).get(0, "c1499").isPresent(), "the last key written while node 3 was down");
        System.out.printf("checkpoint catch-up: C started -> linearizable read at instance %d in %d ms; transfer %s%n",
                readAt, millis, c.engine().transfers());

        cluster.write(2, 0, "after", 30, 100);
        awaitSame(0, List.of(1, 2, 3));
        awaitSame(1, List.of(1, 2, 3));
        for (int g = 0; g < 2; g++) assertTrue(c.node().status(g).failure() == null, "group " + g + " healthy");
        // the senders unlocked: a KV checkpoint directory exists only while locked
        for (int id = 1; id <= 2; id++) {
            Path ckpt = dir.resolve("n" + id).resolve("statemachines/1/group-0/group-0/checkpoint");
            int node = id;
            await().atMost(Duration.ofSeconds(30)).until(() -> !java.nio.file.Files.exists(ckpt));
            assertTrue(cluster.nodes[node].engine().transfers().stream().noneMatch(t -> t.outcome() == null));
        }
    }

    private static TransferStatus receiving(EmbeddedNode n) {
        return n.engine().transfers().stream().filter(t -> t.group() == 0 && "receive".equals(t.direction())
                && "receiving".equals(t.phase())).findFirst().orElse(null);
    }

    /** Waits until the nodes executed the same position in {@code group} and hold the same KV state. */
    private void awaitSame(int group, List<Integer> ids) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            long pos = -2;
            long sum = 0;
            boolean first = true;
            for (int id : ids) {
                GroupStatus s = cluster.nodes[id].node().status(group);
                long checksum = cluster.kv(id, group).checksum(group);
                long applied = cluster.kv(id, group).checkpointInstance(group);
                if (first) {
                    pos = applied;
                    sum = checksum;
                    first = false;
                } else if (applied != pos || checksum != sum) return false;
                if (s.executedInstance() < applied) return false;
            }
            return true;
        });
        long sum = cluster.kv(ids.get(0), group).checksum(group);
        for (int id : ids) assertEquals(sum, cluster.kv(id, group).checksum(group), "node " + id + " group " + group);
    }
}
