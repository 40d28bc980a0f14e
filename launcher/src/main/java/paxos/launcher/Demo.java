package paxos.launcher;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import paxos.launcher.node.MemberAddress;
import paxos.launcher.node.NodeIdentityCheck;
import paxos.launcher.node.NodeProcess;
import paxos.launcher.node.NodeSettings;
import paxos.launcher.node.PlatformProbe;
import paxos.launcher.node.Secrets;

/**
 * {@code ./paxos demo}: a local 3-node cluster, three platform JVMs on 127.0.0.1.
 * <pre>
 *   --paxos-ports A,B,C   Paxos ports (default 7001,7002,7003)
 *   --http-ports A,B,C    web console / REST ports (default 8081,8082,8083)
 *   --data DIR            data folder (default data/demo, relative to the working directory)
 *   --node N              start only node N (1..4) of that demo, e.g. again after it crashed
 *                         while the other two run on in the first demo
 *   --join                with --node N: start node N to join the running demo cluster (a fresh data
 *                         directory and incarnation; it waits until an operator adds it, or
 *                         replaces a member by it). Node 4 (Paxos 7004, HTTP 8084, or the fourth
 *                         of --paxos-ports / --http-ports) exists only this way; once it has
 *                         joined, a demo start without --node starts it too
 *   stop [--data DIR]     stops every running node of that demo, however it was started
 *   status [--data DIR]   one line per node: pid, up/down, Paxos and HTTP addresses
 * </pre>
 * Node N lives in {@code DIR/node-N/} (its log is {@code node.log} there); {@code DIR/deploy/} is
 * watched by all three nodes, so a plugin dropped there is installed cluster-wide. The console
 * password and the cluster secret are generated once into {@code DIR/demo.properties} and reused.
 * Runs until SIGINT/SIGTERM, then stops the three nodes cleanly (bounded); exit code 2 on bad
 * flags or busy ports, 1 if the nodes did not come up.
 */
public final class Demo {

  static final String CONSOLE_USER = "paxos";
  static final long START_TIMEOUT_MILLIS = 120_000;
  static final long STOP_TIMEOUT_MILLIS = 30_000;
  static final String USAGE = "usage: ./paxos demo [--paxos-ports A,B,C[,D]] [--http-ports A,B,C[,D]] [--data DIR]"
      + " [--node N [--join]]\n"
      + "       ./paxos demo stop|status [--data DIR]";

  // set by the shutdown hook, so that the nodes' exits are not reported as failures
  private static volatile boolean stopping;

  private Demo() {
  }

  public static void main(String[] args) throws Exception {
    // an expected failure (unwritable data folder, missing platform jar) is one line, not a trace
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      System.err.println("paxos demo: " + e.getMessage());
      System.exit(1);
    });
    if (args.length > 0 && (args[0].equals("stop") || args[0].equals("status"))) {
      System.exit(control(args));
    }
    List<NodeSettings> nodes;
    int firstHttpPort;
    try {
      int only = onlyNode(args);
      boolean join = Arrays.asList(args).contains("--join");
      if (join && only == 0) {
        throw new IllegalArgumentException("--join needs --node N (e.g. ./paxos demo --node 4 --join)");
      }
      nodes = configure(withoutOnlyNode(args), Path.of("").toAbsolutePath(), join ? only : 0, only);
      firstHttpPort = nodes.get(0).httpPort();
      if (only != 0) {
        nodes = nodes.stream().filter(n -> n.nodeId() == only).toList();
      }
    } catch (IllegalArgumentException e) {
      System.err.println("paxos demo: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    for (NodeSettings node : nodes) {
      for (int port : new int[] {node.port(), node.httpPort()}) {
        if (!PlatformProbe.portFree("127.0.0.1", port)) {
          System.err.println("paxos demo: port " + port + " on 127.0.0.1 is in use (another demo running?);"
              + " choose others with --paxos-ports / --http-ports");
          System.exit(2);
        }
      }
    }
    Path jar = PlatformProbe.platformJar();
    NodeSettings first = nodes.get(0);
    Path data = first.nodeDir().getParent();
    String count = nodes.size() == 1 ? "node " + first.nodeId() : nodes.size() + " nodes";
    System.out.println("paxos demo: starting " + count + " in " + data + " (each logs to node-N/node.log)");

    List<NodeProcess> processes = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(processes), "paxos-demo-stop"));
    long startNanos = System.nanoTime();
    synchronized (processes) {
      for (NodeSettings node : nodes) {
        processes.add(NodeProcess.start(node, jar,
            Redirect.appendTo(node.nodeDir().resolve("node.log").toFile()), false));
      }
    }
    recordBootstraps(nodes, data);
    if (!awaitReady(processes)) {
      System.exit(1);
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    for (NodeProcess process : processes) {
      NodeSettings node = process.settings();
      System.out.printf("  node %d  paxos 127.0.0.1:%d  console %s  (pid %d)%n",
          node.nodeId(), node.port(), node.consoleUrl(), process.pid());
    }
    System.out.println("web console login: " + CONSOLE_USER + " / " + first.consolePassword()
        + "   (kept in " + data.resolve("demo.properties") + ")");
    System.out.println("deploy a bundle to all nodes: copy its jar into " + data.resolve("deploy"));
    int second = processes.get(processes.size() > 1 ? 1 : 0).settings().httpPort();
    System.out.println("try: curl -i -X PUT --data-binary hello http://127.0.0.1:" + first.httpPort() + "/kv/greeting");
    System.out.println("     curl -i http://127.0.0.1:" + second + "/kv/greeting        (any node serves any key)");
    System.out.println("     curl http://127.0.0.1:" + first.httpPort() + "/paxos/status");
    System.out.println("     curl http://127.0.0.1:" + first.httpPort() + "/paxos/ready      (200 once a node serves)");
    for (NodeSettings node : nodes) {
      if (node.startMode().equals("join")) {
        int replaced = node.nodeId() == 4 ? 3 : 0;
        System.out.println("node " + node.nodeId() + " waits to be added; from any member, e.g. "
            + (replaced != 0 ? "to replace node " + replaced + " by it:" : "as a voter:"));
        System.out.println("     curl -u " + CONSOLE_USER + ":" + first.consolePassword() + " -X PUT --data 127.0.0.1:"
            + node.port() + " 'http://127.0.0.1:" + firstHttpPort + "/paxos/members/" + node.nodeId()
            + (replaced != 0 ? "?replace=" + replaced : "") + "'");
      }
    }
    System.out.println("paxos demo: " + count + " up (" + (nodes.stream().anyMatch(n -> n.startMode().equals("join"))
        ? "started; joining" : "ready") + ") in " + millis + " ms. Ctrl-C stops " + (nodes.size() == 1 ? "it." : "them."));

    for (NodeProcess process : processes) {
      process.onExit().thenAccept(code -> {
        if (!stopping) {
          System.out.println("paxos demo: node " + process.settings().nodeId() + " exited with code "
              + code + "; see " + process.settings().nodeDir().resolve("node.log"));
        }
      });
    }
    for (NodeProcess process : processes) {
      process.onExit().join();
    }
  }

  /** {@code stop|status [--data DIR]}: see {@link DemoControl}. */
  static int control(String[] args) throws Exception {
    String dataDir = "data/demo";
    if (args.length == 3 && args[1].equals("--data")) {
      dataDir = args[2];
    } else if (args.length != 1) {
      System.err.println("usage: ./paxos demo " + args[0] + " [--data DIR]");
      return 2;
    }
    Path data = Path.of("").toAbsolutePath().resolve(dataDir).normalize();
    return args[0].equals("stop") ? DemoControl.stop(data, System.out, STOP_TIMEOUT_MILLIS)
        : DemoControl.status(data, System.out);
  }

  /** The N of {@code --node N}, or 0 if absent; IllegalArgumentException unless 1..4. */
  static int onlyNode(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--node")) {
        String value = i + 1 < args.length ? args[i + 1] : "";
        if (!value.matches("[1234]")) {
          throw new IllegalArgumentException("--node needs 1, 2, 3 or 4, got '" + value + "'");
        }
        return Integer.parseInt(value);
      }
    }
    return 0;
  }

  private static String[] withoutOnlyNode(String[] args) {
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--node")) {
        i++;
      } else if (!args[i].equals("--join")) {
        rest.add(args[i]);
      }
    }
    return rest.toArray(new String[0]);
  }

  /** The three nodes' settings (and node 4's, if it joined before); IllegalArgumentException on bad flags. */
  static List<NodeSettings> configure(String[] args, Path workDir) throws IOException {
    return configure(args, workDir, 0, 0);
  }

  /**
   * Parses the flags into the nodes' settings: nodes 1 to 3, and node 4 if it is asked for
   * ({@code only} or {@code joining} is 4) or has joined before (it has an identity).
   *
   * @param joining the node started with {@code --join}, or 0
   * @param only the node of {@code --node}, or 0
   */
  static List<NodeSettings> configure(String[] args, Path workDir, int joining, int only) throws IOException {
    int[] paxosPorts = {7001, 7002, 7003, 7004};
    int[] httpPorts = {8081, 8082, 8083, 8084};
    String dataDir = "data/demo";
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("-h") || flag.equals("--help")) {
        System.out.println(USAGE);
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--paxos-ports" -> paxosPorts = ports(flag, value);
        case "--http-ports" -> httpPorts = ports(flag, value);
        case "--data" -> dataDir = value;
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    Path data = workDir.resolve(dataDir).toAbsolutePath().normalize();
    Secrets secrets = Secrets.open(data.resolve("demo.properties"));
    String password = secrets.getOrGenerate("console.password", 12);
    String clusterSecret = secrets.getOrGenerate("clusterSecret", 32);
    secrets.save();
    // the bootstrap membership is nodes 1-3; node 4's list names itself too (it must) and only tells it
    // where its peers are: the log, not this list, makes it a member
    List<MemberAddress> members = new ArrayList<>();
    List<MemberAddress> httpMembers = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      members.add(new MemberAddress(n, "127.0.0.1", paxosPorts[n - 1]));
      // node 4 among the HTTP addresses from the start: a KV write on node 1 can then be sent to a
      // master on node 4 after it joined (an address nobody answers on is skipped quietly)
      httpMembers.add(new MemberAddress(n, "127.0.0.1", httpPorts[n - 1]));
    }
    List<NodeSettings> nodes = new ArrayList<>();
    for (int n = 1; n <= 4; n++) {
      Path home = data.resolve("node-" + n);
      // A node is bootstrapped (its data directory created) only at its first start in this demo;
      // demo.properties remembers that start (see recordBootstraps), so a node whose directory was
      // lost later is a member without identity and is refused, even if its whole folder is gone
      // (unless it is started with --join: then it gets a fresh identity and waits to be added).
      boolean identity = NodeIdentityCheck.exists(home.resolve("paxos"));
      boolean started = identity || secrets.get(bootstrappedKey(n)) != null;
      if (n == 4 && !started && joining != 4 && only != 4) {
        continue; // node 4 exists only once it was started to join
      }
      String startMode = identity ? "member" : n == joining ? "join" : started || n == 4 ? "member" : "bootstrap";
      nodes.add(new NodeSettings(n, n == 4 ? members : members.subList(0, 3), "127.0.0.1", paxosPorts[n - 1], home,
          home.resolve("paxos"),
          "127.0.0.1", httpPorts[n - 1], CONSOLE_USER, password,
          List.of(NodeSettings.DEFAULT_JAVA_OPTIONS.split(" ")), data.resolve("deploy"),
          Map.of("clusterSecret", clusterSecret, NodeSettings.START_MODE_KEY, startMode), httpMembers));
    }
    return nodes;
  }

  private static String bootstrappedKey(int nodeId) {
    return "node." + nodeId + ".bootstrapped";
  }

  /** Remembers in demo.properties which nodes have their identity now (their first start is over). */
  private static void recordBootstraps(List<NodeSettings> nodes, Path data) throws IOException {
    Secrets secrets = Secrets.open(data.resolve("demo.properties"));
    for (NodeSettings node : nodes) {
      if (NodeIdentityCheck.exists(node.dataDir())) {
        secrets.put(bootstrappedKey(node.nodeId()), "true");
      }
    }
    secrets.save();
  }

  private static int[] ports(String flag, String value) {
    try {
      int[] ports = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
      if (ports.length < 3 || ports.length > 4 || Arrays.stream(ports).distinct().count() != ports.length) {
        throw new IllegalArgumentException(flag + " needs three (or four, with node 4) different ports, got " + value);
      }
      // node 4's port: the fourth given, else the default
      return ports.length == 4 ? ports : new int[] {ports[0], ports[1], ports[2], flag.startsWith("--paxos") ? 7004 : 8084};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs three port numbers, got " + value);
    }
  }

  // "up" means GET /paxos/ready answers 200: the engine runs every group and every deployed
  // plugin serves (an answering console is not enough: /kv answered 404 for seconds after it).
  // Polls every 200 ms; gives up when a node exits or after START_TIMEOUT_MILLIS.
  private static boolean awaitReady(List<NodeProcess> processes) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000;
    List<NodeProcess> waiting = new ArrayList<>(processes);
    while (!waiting.isEmpty()) {
      for (NodeProcess process : List.copyOf(waiting)) {
        if (!process.isAlive()) {
          System.err.println("paxos demo: node " + process.settings().nodeId() + " exited during start; see "
              + process.settings().nodeDir().resolve("node.log"));
          return false;
        }
        PlatformProbe.Readiness readiness = PlatformProbe.readiness(process.settings());
        // a joining node is not ready (its groups wait for the operator): its engine running is enough
        if (readiness.ready() || process.settings().startMode().equals("join") && engineRuns(readiness)) {
          waiting.remove(process);
        }
      }
      if (System.nanoTime() > deadline) {
        for (NodeProcess process : waiting) {
          System.err.println("paxos demo: node " + process.settings().nodeId() + " is not ready after "
              + START_TIMEOUT_MILLIS / 1000 + " s: " + PlatformProbe.readiness(process.settings()).body()
              + "; see " + process.settings().nodeDir().resolve("node.log"));
        }
        return false;
      }
      Thread.sleep(200);
    }
    return true;
  }

  /** {@code /paxos/ready} answered, and no reason is about bundles or a missing engine. */
  private static boolean engineRuns(PlatformProbe.Readiness readiness) {
    return readiness.status() > 0 && !readiness.body().contains("bundle ")
        && !readiness.body().contains("Paxos node is not running");
  }

  private static void stop(List<NodeProcess> processes) {
    stopping = true;
    synchronized (processes) {
      if (processes.isEmpty()) {
        return;
      }
      System.out.println("paxos demo: stopping the nodes...");
      try {
        NodeProcess.stopAll(processes, STOP_TIMEOUT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      System.out.println("paxos demo: stopped.");
    }
  }
}
