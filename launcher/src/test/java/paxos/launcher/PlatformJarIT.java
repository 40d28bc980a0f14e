package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.launcher.node.MemberAddress;
import paxos.launcher.node.NodeHome;
import paxos.launcher.node.NodeProcess;
import paxos.launcher.node.NodeSettings;
import paxos.launcher.node.PlatformProbe;
import paxos.launcher.TestSupport.BundleRow;

/**
 * The exported target/platform.jar as a real child JVM: every bundle ACTIVE, the console behind
 * the configured login, the paxos.node configuration in ConfigAdmin, a jar dropped into deploy/
 * started, and a clean stop on SIGTERM.
 */
class PlatformJarIT {

  private static final Duration START_BOUND = Duration.ofSeconds(90);
  private static final Set<String> REQUIRED = Set.of(
      "paxos.api", "paxos.impl", "paxos.leveldb", "paxos.storage.leveldb", "paxos.transport.netty",
      "paxos.plugin.support", "paxos.plugin.kv", "paxos.plugin.election", "paxos.plugin.config", "paxos.launcher",
      "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.metatype",
      "org.apache.felix.log", "org.apache.felix.http.jetty12", "org.apache.felix.webconsole",
      "org.apache.felix.webconsole.plugins.ds", "org.apache.felix.fileinstall",
      "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.shell", "org.apache.felix.gogo.command",
      "io.netty.buffer", "io.netty.common", "io.netty.transport", "io.netty.resolver",
      "io.netty.handler", "io.netty.codec-base", "io.netty.transport-native-unix-common");

  @TempDir Path temp;
  private NodeProcess node;

  @AfterEach
  void stopNode() throws InterruptedException {
    if (node != null) {
      node.stop(30_000);
    }
  }

  @Test
  void platformRunsAllBundlesBehindTheConfiguredLoginAndHotDeploys() throws Exception {
    int[] ports = TestSupport.freePorts(2);
    Path home = temp.resolve("node-1");
    NodeSettings settings = new NodeSettings(1, List.of(new MemberAddress(1, "127.0.0.1", ports[0])),
        "127.0.0.1", ports[0], home, home.resolve("paxos"), "127.0.0.1", ports[1], "tester", "s3cret-Pw",
        TestSupport.nodeJvmOptions("-Xmx256m"), null, Map.of("groupCount", "4", "syncPolicy", "group",
        NodeSettings.START_MODE_KEY, "bootstrap"));
    Files.createDirectories(home);
    Path log = home.resolve("node.log");
    long startNanos = System.nanoTime();
    node = NodeProcess.start(settings, PlatformProbe.platformJar(), Redirect.appendTo(log.toFile()), false);

    TestSupport.await().atMost(START_BOUND).until(() -> PlatformProbe.consoleUp(settings));
    System.out.printf("platform console up %d ms after the JVM started%n", (System.nanoTime() - startNanos) / 1_000_000);
    assertEquals(401, PlatformProbe.status(settings, "/system/console/bundles.json", "admin", "admin"),
        "admin/admin is rejected");

    // every bundle ACTIVE once the framework has reached its start level (FileInstall and
    // the console come up at the same level, so the console may answer a moment earlier)
    TestSupport.await().atMost(START_BOUND).untilAsserted(() -> {
      List<BundleRow> bundles = TestSupport.bundles(json(settings, "/system/console/bundles.json"));
      List<BundleRow> notActive = bundles.stream().filter(b -> !b.activeOrResolvedFragment()).toList();
      assertTrue(notActive.isEmpty(), "not ACTIVE: " + notActive);
      Set<String> names = bundles.stream().map(BundleRow::symbolicName).collect(Collectors.toSet());
      assertTrue(names.containsAll(REQUIRED), "missing: " + REQUIRED.stream().filter(n -> !names.contains(n)).toList());
    });

    // FileInstall hands deploy/paxos.node.cfg (and the transport's and store's) to ConfigAdmin
    TestSupport.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      String configurations = json(settings, "/system/console/status-Configurations.txt");
      for (String expected : List.of("PID = paxos.node", "PID = paxos.transport.netty",
        "PID = paxos.storage.leveldb", "nodeId = 1", "members = 1@127.0.0.1:" + ports[0],
        "groupCount = 4", "syncPolicy = group", "dataDir = " + home.resolve("paxos"))) {
        assertTrue(configurations.contains(expected), "configurations lack '" + expected + "':\n" + configurations);
      }
    });

    // this node's store is configured with syncPolicy "group" (not SYNC or NONE), so its engine never runs:
    // the membership endpoint answers the platform's 503, never 404
    assertEquals(503, PlatformProbe.status(settings, "/paxos/members", "tester", "s3cret-Pw"), "GET /paxos/members");

    TestSupport.writeBundle(NodeHome.deployDir(settings), "dropin.jar", "paxos.test.dropin");
    TestSupport.await().atMost(Duration.ofSeconds(30)).until(() ->
        TestSupport.bundles(json(settings, "/system/console/bundles.json")).stream()
            .anyMatch(b -> b.symbolicName().equals("paxos.test.dropin") && b.state().equals("Active")));

    String startLog = withoutConsoleReRegistrationRace(Files.readString(log, StandardCharsets.UTF_8));
    assertFalse(startLog.contains("Exception") || startLog.contains("\tat "), "a normal start logs no stack traces:\n" + startLog);

    assertTrue(node.stop(30_000), "exits on SIGTERM within the bound");
    String stopLog = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(stopLog.contains("paxos platform: framework stopped in"), "clean framework stop:\n" + stopLog);
  }

  /**
   * Drops the log entries of one known upstream race: Web Console 5 re-registers its servlet when
   * ConfigAdmin first calls its ManagedService, and a request arriving in between (as this test's
   * polling may, on a loaded machine) is logged by Felix HTTP as an ERROR with a stack trace
   * ("Servlet has been unregistered"). Every other entry is kept.
   */
  static String withoutConsoleReRegistrationRace(String log) {
    StringBuilder kept = new StringBuilder();
    for (String entry : log.split("\n(?![\t ]|jakarta|Caused)")) {
      if (!entry.contains("Servlet has been unregistered")) {
        kept.append(entry).append('\n');
      }
    }
    return kept.toString();
  }

  private static String json(NodeSettings settings, String path) {
    String body = TestSupport.get(settings.httpPort(), path, settings.consoleUser(), settings.consolePassword());
    assertNotNull(body, "GET " + path);
    return body;
  }
}
