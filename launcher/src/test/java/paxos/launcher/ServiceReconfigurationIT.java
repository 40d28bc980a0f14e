package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.launcher.node.NodeSettings;

/**
 * Storage and transport are DS services with forms of their own, and the engine component holds
 * static references to both: saving either form through the web console's configMgr (which
 * updates ConfigAdmin) restarts the right components in the right order, on one real platform JVM
 * (Felix, LevelDB, Netty on 127.0.0.1), and nothing is lost.
 * <ol>
 *   <li>Store form ({@code paxos.storage.leveldb}, cleanerIntervalMillis changed): node.log shows
 *       the engine stopped, the store closed, the store opened <em>with the new value</em>, the
 *       engine started, in that order; the value written before is read back, a new write is
 *       acknowledged, {@code /paxos/ready} answers 200 again.</li>
 *   <li>Transport form ({@code paxos.transport.netty}, outboundQueueMessagesMax changed): the
 *       engine stopped, the transport closed, a transport configured with the new value, the engine
 *       started; both values are read back.</li>
 * </ol>
 * The three-node {@code PluginLifecycleIT} checks the store case among much else; this one is the
 * quick, focused check of the order and the values.
 */
class ServiceReconfigurationIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration STEP = Duration.ofSeconds(30);

  @TempDir Path temp;
  private LocalCluster cluster;

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void savingTheStoreOrTransportFormRestartsEngineAroundItAndLosesNothing() throws Exception {
    long startNanos = System.nanoTime();
    cluster = LocalCluster.start(temp, 1, Map.of("groupCount", "2"));
    cluster.awaitReady(START);
    awaitWrite("before", "kept");
    System.out.printf("node ready and written in %d ms%n", millisSince(startNanos));

    // 1. the store's form
    long storeNanos = System.nanoTime();
    Map<String, String> store = new LinkedHashMap<>(cluster.settings(1).storeConfig());
    store.put("cleanerIntervalMillis", "1500");
    String storeDir = cluster.settings(1).dataDir().resolve("log").toString();
    long logBefore = Files.size(cluster.log(1));
    cluster.applyConfig(1, NodeSettings.STORE_PID, store);
    awaitInOrder(logBefore, "node 1 stopped", "log store closed: " + storeDir,
        "log store open: " + storeDir, "cleanerIntervalMillis 1500)", "node 1 started");
    awaitServing();
    System.out.printf("store form saved: engine serving again after %d ms%n", millisSince(storeNanos));

    // 2. the transport's form
    long transportNanos = System.nanoTime();
    Map<String, String> transport = cluster.deployedTransportConfig(1);
    transport.put("outboundQueueMessagesMax", "5000");
    logBefore = Files.size(cluster.log(1));
    cluster.applyConfig(1, NodeSettings.TRANSPORT_PID, transport);
    awaitInOrder(logBefore, "node 1 stopped", "transport closed", "transport of node 1 configured",
        "outboundQueueMessagesMax 5000", "node 1 started");
    awaitServing();
    System.out.printf("transport form saved: engine serving again after %d ms%n", millisSince(transportNanos));
    assertEquals("200 kept", cluster.http(1).get("/kv/before").toString());
    System.out.printf("service reconfiguration test done in %d ms%n", millisSince(startNanos));
  }

  /** Waits until node.log, after {@code offset}, holds the {@code texts} in this order. */
  private void awaitInOrder(long offset, String... texts) {
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      String log = Files.readString(cluster.log(1)).substring((int) offset);
      int at = 0;
      for (String text : texts) {
        int found = log.indexOf(text, at);
        assertTrue(found >= 0, "'" + text + "' after position " + at + " (expected in the order " + List.of(texts)
            + "):\n" + log);
        at = found + text.length();
      }
    });
  }

  /** The engine is back: ready, the earlier write readable, a new write acknowledged. */
  private void awaitServing() {
    TestSupport.await().atMost(STEP).until(() -> cluster.ready(1) && cluster.http(1).get("/paxos/ready").status() == 200);
    assertEquals("active", cluster.componentDetails(1, "paxos.impl.osgi.NodeComponent").substring("state: ".length()));
    TestSupport.await().atMost(STEP).untilAsserted(() ->
        assertEquals("200 kept", cluster.http(1).get("/kv/before").toString()));
    awaitWrite("after-" + System.nanoTime(), "new");
  }

  private void awaitWrite(String key, String value) {
    TestSupport.await().atMost(STEP).until(() -> cluster.http(1).put("/kv/" + key, value).status() == 200);
    assertEquals("200 " + value, cluster.http(1).get("/kv/" + key).toString());
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
