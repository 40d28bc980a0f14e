package paxos.node;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.ReadConsistency;
import paxos.impl.runtime.TransferStatus;

/**
 * Measures checkpoint transfer throughput on loopback and the time from "node 3 starts" to "node 3
 * serves a linearizable read" for a large KV state. Opt-in (not part of the default build):
 * {@code mvn -pl paxos.impl verify -Dtest=CheckpointTransferBench -Dpaxos.checkpoint.benchMb=1024}.
 * Prints numbers; asserts nothing about them.
 */
@EnabledIfSystemProperty(named = "paxos.checkpoint.benchMb", matches = "\\d+")
class CheckpointTransferBench {
    @TempDir Path dir;

    @Test
    void transferALargeKvState() throws Exception {
        int mb = Integer.getInteger("paxos.checkpoint.benchMb");
        try (KvCluster cluster = new KvCluster(dir, 100, 1)) {
            cluster.tuner = c -> c.withBytesPerSecondMax(4L << 30); // unthrottled: measure the path itself
            for (int id = 1; id <= 3; id++) cluster.start(id);
            cluster.write(1, 0, "warm", 10, 100);
            cluster.stop(3);
            long t0 = System.nanoTime();
            cluster.write(1, 0, "big", mb * 16, 64 << 10); // 64 KiB values
            System.out.printf("wrote %d MB through Paxos in %.1f s%n", mb, (System.nanoTime() - t0) / 1e9);
            for (int id = 1; id <= 2; id++) {
                cluster.stop(id);
                cluster.start(id);
            }
            cluster.write(1, 0, "after-restart", 200, 100);
            long start = System.nanoTime();
            EmbeddedNode c = cluster.start(3);
            await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100)).until(() -> c.engine().transfers().stream()
                    .anyMatch(t -> t.group() == 0 && "receive".equals(t.direction()) && t.outcome() != null));
            c.node().readBarrier(0, ReadConsistency.LINEARIZABLE).toCompletableFuture().get(120, TimeUnit.SECONDS);
            long readMillis = (System.nanoTime() - start) / 1_000_000;
            TransferStatus t = c.engine().transfers().stream().filter(x -> "receive".equals(x.direction())).findFirst().orElseThrow();
            TransferStatus s = cluster.nodes[t.peer()].engine().transfers().stream()
                    .filter(x -> "send".equals(x.direction())).findFirst().orElseThrow();
            System.out.printf("checkpoint: %s, %d files, %.1f MB; receive %.1f MB/s (first byte to installed), send %.1f MB/s (first byte to last); "
                            + "C start -> linearizable read %d ms%n", t.outcome(), t.files(), t.bytes() / 1e6,
                    t.bytesPerSecond() / 1e6, s.bytesPerSecond() / 1e6, readMillis);
        }
    }
}
