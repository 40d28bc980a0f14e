package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command end to end: {@code ./paxos demo} (Demo in its own JVM, non-default
 * ports), KV writes over HTTP to all three nodes, node 2 killed with SIGKILL (its PID as Demo
 * printed it), writes going on through nodes 1 and 3, node 2 started again on its files with
 * {@code ./paxos demo --node 2}, and then every acknowledged write readable with its value on
 * every node, and the three replicas' digests equal. Then node 2 killed again with its data
 * directory deleted: {@code ./paxos demo --node 2} refuses to start it (node identity, README).
 */
class DemoKillRestartIT {

  private static final Pattern NODE_LINE = Pattern.compile("node (\\d)\\s+paxos \\S+\\s+console (\\S+)\\s+\\(pid (\\d+)\\)");

  @TempDir Path temp;
  private final List<Process> demos = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    for (Process demo : demos) {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkillAndRestartOfANode() throws Exception {
    int[] ports = TestSupport.freePorts(6);
    String[] flags = {"--paxos-ports", ports[0] + "," + ports[1] + "," + ports[2],
        "--http-ports", ports[3] + "," + ports[4] + "," + ports[5], "--data", temp.resolve("demo").toString()};
    Http[] node = {null, new Http(ports[3]), new Http(ports[4]), new Http(ports[5])};
    long startNanos = System.nanoTime();
    Path out = temp.resolve("demo.out");
    demos.add(demo(flags, List.of(), out));
    TestSupport.await().atMost(Duration.ofSeconds(150)).until(() -> Files.readString(out).contains("3 nodes up"));
    Map<Integer, Long> pids = pids(Files.readString(out));
    assertEquals(Set.of(1, 2, 3), pids.keySet(), Files.readString(out));
    awaitServing(node, 1, 2, 3);
    System.out.printf("demo: 3 nodes serving KV after %d ms%n", (System.nanoTime() - startNanos) / 1_000_000);
    TestSupport.await().atMost(Duration.ofSeconds(60)).until(() -> node[1].get("/paxos/health").status() == 200);

    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      write(node[1 + i % 3], "before-" + i, "value-" + i, acknowledged);
    }

    ProcessHandle victim = ProcessHandle.of(pids.get(2)).orElseThrow();
    assertTrue(victim.info().commandLine().orElse("").contains("platform.jar"), "pid " + pids.get(2) + " is node 2");
    victim.destroyForcibly(); // SIGKILL
    victim.onExit().join();
    assertEquals(-1, node[2].get("/paxos/status").status(), "node 2 is gone");
    Http.Reply health = node[1].get("/paxos/health");
    assertEquals(200, health.status(), "two of three voters still make a quorum: " + health);

    for (int i = 0; i < 30; i++) {
      write(node[i % 2 == 0 ? 1 : 3], "during-" + i, "value-" + i, acknowledged);
    }

    // ./paxos demo --node 2: node 2 alone, on its files, beside the running demo
    Path restartOut = temp.resolve("demo-node2.out");
    demos.add(demo(flags, List.of("--node", "2"), restartOut));
    TestSupport.await().atMost(Duration.ofSeconds(150)).until(() -> Files.readString(restartOut).contains("node 2 up"));
    awaitServing(node, 2);
    for (int i = 0; i < 10; i++) {
      write(node[2], "after-" + i, "value-" + i, acknowledged);
    }
    assertFalse(Files.readString(out).contains("paxos demo: node 1 exited")
        || Files.readString(out).contains("paxos demo: node 3 exited"), Files.readString(out));

    for (int n = 1; n <= 3; n++) {
      int nodeId = n;
      TestSupport.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          assertEquals("200 " + e.getValue(), node[nodeId].get("/kv/" + e.getKey()).toString(),
              "node " + nodeId + " key " + e.getKey());
        }
      });
    }
    Set<String> digests = new HashSet<>();
    for (int n = 1; n <= 3; n++) {
      Http.Reply digest = node[n].get("/kv?digest");
      assertEquals(200, digest.status(), digest.toString());
      assertEquals((long) acknowledged.size(), MiniJson.object(digest.body()).get("entries"), digest.toString());
      digests.add((String) MiniJson.object(digest.body()).get("digest"));
    }
    assertEquals(1, digests.size(), "equal replicas: " + digests);
    System.out.printf("demo: %d acknowledged writes on all 3 nodes, %d ms in total%n",
        acknowledged.size(), (System.nanoTime() - startNanos) / 1_000_000);

    // the user's "replace": node 2 killed, its data deleted, started again: refused, with the message
    ProcessHandle second = ProcessHandle.of(pids(Files.readString(restartOut)).get(2)).orElseThrow();
    second.destroyForcibly();
    second.onExit().join();
    Path data2 = temp.resolve("demo").resolve("node-2").resolve("paxos");
    try (var paths = Files.walk(data2)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Path wipedOut = temp.resolve("demo-node2-wiped.out");
    Process wiped = demo(flags, List.of("--node", "2"), wipedOut);
    demos.add(wiped);
    assertTrue(wiped.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the refused start exits");
    assertEquals(1, wiped.exitValue(), Files.readString(wipedOut));
    assertTrue(Files.readString(wipedOut).contains("node 2 refuses to start"), Files.readString(wipedOut));
    assertFalse(Files.exists(data2), "nothing recreated");
    assertEquals(200, node[1].get("/paxos/health").status(), "1 and 3 still serve");

    for (Process demo : demos) {
      demo.destroy(); // SIGTERM, as Ctrl-C would
    }
    TestSupport.await().atMost(Duration.ofSeconds(60)).until(() -> demos.stream().noneMatch(Process::isAlive));
  }

  /**
   * PUTs key=value until it is acknowledged (200), bounded. A retry after a 5xx may apply the
   * same value twice, which changes only its version.
   */
  private static void write(Http node, String key, String value, Map<String, String> acknowledged) {
    List<String> failures = new ArrayList<>();
    TestSupport.await().atMost(Duration.ofSeconds(60)).until(() -> {
      Http.Reply reply = node.put("/kv/" + key, value);
      if (reply.status() != 200) {
        failures.add(reply.toString());
      }
      return reply.status() == 200 && reply.etag() != null;
    });
    acknowledged.put(key, value);
    if (failures.size() > 0) {
      System.out.printf("write %s on port %d was retried after: %s%n", key, node.port(), failures);
    }
  }

  /** Waits until each named node answers a KV read (a linearizable barrier in every group). */
  private static void awaitServing(Http[] node, int... ids) {
    for (int id : ids) {
      TestSupport.await().atMost(Duration.ofSeconds(120)).until(() -> node[id].get("/kv?digest").status() == 200);
    }
  }

  /** {@code ./paxos demo FLAGS EXTRA} in its own JVM (this test's class path), output to a file. */
  static Process demo(String[] flags, List<String> extra, Path output) throws Exception {
    List<String> all = new ArrayList<>(List.of(flags));
    all.addAll(extra);
    return TestSupport.demo(List.of(), all).redirectErrorStream(true).redirectOutput(output.toFile()).start();
  }

  static Map<Integer, Long> pids(String demoOutput) {
    Map<Integer, Long> pids = new LinkedHashMap<>();
    Matcher matcher = NODE_LINE.matcher(demoOutput);
    while (matcher.find()) {
      pids.put(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(3)));
    }
    return pids;
  }
}
