package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import paxos.launcher.node.MemberAddress;
import paxos.launcher.node.NodeProcess;
import paxos.launcher.node.NodeSettings;
import paxos.launcher.node.PlatformProbe;

/**
 * A local cluster of real platform JVMs (target/platform.jar) on free 127.0.0.1 ports, laid out as
 * {@code ./paxos demo} does: {@code dir/node-N/} per node, {@code dir/deploy/} watched by all.
 * Nodes can be SIGKILLed and started again on the same files. Closing stops every node (SIGTERM,
 * then SIGKILL after 30 s).
 */
final class LocalCluster implements AutoCloseable {

  static final String USER = "tester";
  static final String PASSWORD = "it-console-Pw";
  static final String CLUSTER_SECRET = "it-cluster-secret-0123456789";

  private final Path dir;
  private final List<NodeSettings> settings;
  private final NodeProcess[] processes;

  private LocalCluster(Path dir, List<NodeSettings> settings) {
    this.dir = dir;
    this.settings = settings;
    this.processes = new NodeProcess[settings.size()];
  }

  /** Starts {@code count} nodes; extras go to PID paxos.node of every node. */
  static LocalCluster start(Path dir, int count, Map<String, String> extras) throws IOException {
    int[] ports = TestSupport.freePorts(2 * count);
    List<MemberAddress> members = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      members.add(new MemberAddress(n, "127.0.0.1", ports[n - 1]));
    }
    Map<String, String> engine = new java.util.HashMap<>(extras);
    engine.putIfAbsent("clusterSecret", CLUSTER_SECRET);
    engine.putIfAbsent(NodeSettings.START_MODE_KEY, "bootstrap"); // a brand-new cluster
    List<MemberAddress> httpMembers = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      httpMembers.add(new MemberAddress(n, "127.0.0.1", ports[count + n - 1]));
    }
    List<NodeSettings> nodes = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      Path home = dir.resolve("node-" + n);
      nodes.add(new NodeSettings(n, members, "127.0.0.1", ports[n - 1], home, home.resolve("paxos"),
          "127.0.0.1", ports[count + n - 1], USER, PASSWORD,
          TestSupport.nodeJvmOptions("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), dir.resolve("deploy"), engine, httpMembers));
    }
    LocalCluster cluster = new LocalCluster(dir, nodes);
    for (int n = 1; n <= count; n++) {
      cluster.startNode(n);
    }
    return cluster;
  }

  /** Starts node {@code n} (again) on its files, as Demo does; its output is appended to node.log. */
  void startNode(int n) throws IOException {
    NodeSettings node = settings(n);
    Files.createDirectories(node.nodeDir());
    processes[n - 1] = NodeProcess.start(node, PlatformProbe.platformJar(),
        Redirect.appendTo(log(n).toFile()), false);
  }

  /** SIGKILL to node {@code n}'s JVM; returns when it is gone. */
  void kill(int n) {
    ProcessHandle handle = ProcessHandle.of(processes[n - 1].pid()).orElseThrow();
    handle.destroyForcibly();
    handle.onExit().join();
  }

  int size() {
    return settings.size();
  }

  NodeSettings settings(int n) {
    return settings.get(n - 1);
  }

  NodeProcess process(int n) {
    return processes[n - 1];
  }

  Path log(int n) {
    return settings(n).nodeDir().resolve("node.log");
  }

  Path sharedDeploy() {
    return dir.resolve("deploy");
  }

  /** The node's HTTP endpoint without credentials (/kv, /config, /paxos/status). */
  Http http(int n) {
    return new Http(settings(n).httpPort());
  }

  /** The node's HTTP endpoint with the console login. */
  Http console(int n) {
    return new Http(settings(n).httpPort(), USER, PASSWORD);
  }

  /** The node's /paxos/status, or null while it does not answer 200. */
  Map<String, Object> status(int n) {
    Http.Reply reply = http(n).get("/paxos/status");
    return reply.status() == 200 ? MiniJson.object(reply.body()) : null;
  }

  /** Whether node {@code n} answers its status with every group RUNNING and every peer authenticated. */
  boolean ready(int n) {
    Map<String, Object> status = status(n);
    if (status == null) {
      return false;
    }
    for (Object group : (List<?>) status.get("groups")) {
      if (!"RUNNING".equals(MiniJson.at(group, "state"))) {
        return false;
      }
    }
    List<?> peers = (List<?>) status.get("peers");
    return peers.size() == size() - 1
        && peers.stream().allMatch(p -> Boolean.TRUE.equals(MiniJson.at(p, "authenticated")));
  }

  /** Waits (bounded) until every node is {@link #ready}. */
  void awaitReady(Duration bound) {
    TestSupport.await().atMost(bound).until(() -> {
      for (int n = 1; n <= size(); n++) {
        if (!ready(n)) {
          return false;
        }
      }
      return true;
    });
  }

  /** The web console's numeric bundle ID of {@code symbolicName} on node n, or -1. */
  long bundleId(int n, String symbolicName) {
    Http.Reply reply = console(n).get("/system/console/bundles.json");
    if (reply.status() != 200) {
      return -1;
    }
    for (Object bundle : (List<?>) MiniJson.at(MiniJson.parse(reply.body()), "data")) {
      if (symbolicName.equals(MiniJson.at(bundle, "symbolicName"))) {
        return (Long) MiniJson.at(bundle, "id");
      }
    }
    return -1;
  }

  /** The bundle's state as the console names it ("Active", "Resolved", ...), or null if absent. */
  String bundleState(int n, String symbolicName) {
    Http.Reply reply = console(n).get("/system/console/bundles.json");
    if (reply.status() != 200) {
      return null;
    }
    for (Object bundle : (List<?>) MiniJson.at(MiniJson.parse(reply.body()), "data")) {
      if (symbolicName.equals(MiniJson.at(bundle, "symbolicName"))) {
        return (String) MiniJson.at(bundle, "state");
      }
    }
    return null;
  }

  /** POSTs a web console bundle action (start, stop, uninstall, refresh...) on node n. */
  Http.Reply bundleAction(int n, String symbolicName, String action) {
    long id = bundleId(n, symbolicName);
    if (id < 0) {
      throw new IllegalStateException(symbolicName + " is not installed on node " + n);
    }
    return console(n).postForm("/system/console/bundles/" + id, Map.of("action", action));
  }

  /**
   * A DS component as the web console's components page (DS plugin) shows it: its state
   * and, after a failed activation, the failure with its causes.
   */
  String componentDetails(int n, String name) {
    Http.Reply all = console(n).get("/system/console/components.json");
    assertEquals(200, all.status(), all.toString());
    for (Object component : (List<?>) MiniJson.at(MiniJson.parse(all.body()), "data")) {
      if (name.equals(MiniJson.at(component, "name"))) {
        Http.Reply one = console(n).get("/system/console/components/" + MiniJson.at(component, "id") + ".json");
        Object details = MiniJson.at(MiniJson.parse(one.body()), "data", 0);
        StringBuilder text = new StringBuilder("state: " + MiniJson.at(details, "state"));
        for (Object prop : (List<?>) MiniJson.at(details, "props")) {
          if ("failure".equals(MiniJson.at(prop, "key"))) {
            text.append("\nfailure: ").append(MiniJson.at(prop, "value"));
          }
        }
        return text.toString();
      }
    }
    return "no " + name + " in " + all.body();
  }

  /**
   * Saves {@code pid} on node n as the web console's configuration form does (every property
   * listed, since configMgr drops the ones the request does not name).
   */
  /**
   * Node {@code n}'s transport form as the launcher deployed it: its settings plus what the
   * launcher adds at start (the node's incarnation), as the console's form shows them. A form
   * saved without the incarnation would make the peers refuse the node.
   */
  Map<String, String> deployedTransportConfig(int n) throws IOException {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(paxos.launcher.node.NodeHome.deployDir(settings(n))
        .resolve(paxos.launcher.node.NodeHome.TRANSPORT_CONFIG_FILE))) {
      p.load(in);
    }
    Map<String, String> config = new LinkedHashMap<>();
    new java.util.TreeSet<>(p.stringPropertyNames()).forEach(k -> config.put(k, p.getProperty(k)));
    return config;
  }

  void applyConfig(int n, String pid, Map<String, String> config) {
    Map<String, String> form = new LinkedHashMap<>(config);
    form.put("apply", "true");
    form.put("action", "ajaxConfigManager");
    form.put("propertylist", String.join(",", config.keySet()));
    Http.Reply reply = console(n).postForm("/system/console/configMgr/" + pid, form);
    assertTrue(reply.status() == 200 || reply.status() == 302, "configMgr: " + reply);
  }

  /**
   * Copies the bundle {@code symbolicNamePrefix*.jar} embedded in platform.jar (the bnd
   * exporter keeps every run bundle under {@code jar/}) into {@code folder}, atomically.
   */
  static Path copyBundleFromPlatform(String symbolicNamePrefix, Path folder) throws IOException {
    try (JarFile platform = new JarFile(PlatformProbe.platformJar().toFile())) {
      JarEntry entry = platform.stream()
          .filter(e -> e.getName().startsWith("jar/" + symbolicNamePrefix) && e.getName().endsWith(".jar"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no jar/" + symbolicNamePrefix + "*.jar in platform.jar"));
      Files.createDirectories(folder);
      Path temp = Files.createTempFile(folder.getParent(), symbolicNamePrefix, ".tmp");
      try (InputStream in = platform.getInputStream(entry)) {
        Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      }
      return Files.move(temp, folder.resolve(symbolicNamePrefix + ".jar"), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Override
  public void close() throws InterruptedException {
    List<NodeProcess> running = new ArrayList<>();
    for (NodeProcess process : processes) {
      if (process != null && process.isAlive()) {
        running.add(process);
      }
    }
    NodeProcess.stopAll(running, 30_000);
  }
}
