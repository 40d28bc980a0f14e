package paxos.launcher;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import paxos.launcher.node.NodeProcess;
import paxos.launcher.node.NodeSettings;
import paxos.launcher.node.PlatformProbe;
import paxos.launcher.node.Secrets;

/**
 * {@code ./paxos node --config FILE [--shell]}: one node of a real cluster, from a node file (a
 * properties file; format in the README, section "Platform (launcher)"). Starts the platform as
 * a child JVM with this terminal's output (and, with {@code --shell}, a Gogo shell on its input),
 * passes the Paxos settings on as the ConfigAdmin configuration {@code paxos.node}, and stops it
 * cleanly on SIGINT/SIGTERM. Exits with the node's exit code; 2 on a bad node file.
 */
public final class NodeMain {

  static final long STOP_TIMEOUT_MILLIS = 30_000;
  static final String USAGE = "usage: ./paxos node --config FILE [--shell] [--bootstrap | --join]\n"
      + "  --bootstrap  first start of a brand-new cluster: create a missing data directory (with its identity)\n"
      + "  --join       start to join a running cluster: create a missing data directory with a fresh incarnation;\n"
      + "               the node waits until an operator adds it (PUT /paxos/members/ID) or replaces a member by it";

  private NodeMain() {
  }

  public static void main(String[] args) throws Exception {
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      System.err.println("paxos node: " + e.getMessage());
      System.exit(1);
    });
    Path file = null;
    boolean shell = false;
    String startMode = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> file = i + 1 < args.length ? Path.of(args[++i]) : null;
        case "--shell" -> shell = true;
        case "--bootstrap" -> startMode = "bootstrap";
        case "--join" -> startMode = "join";
        case "-h", "--help" -> {
          System.out.println(USAGE);
          return;
        }
        default -> fail("unknown argument " + args[i]);
      }
    }
    if (file == null) {
      fail("--config FILE is required");
    }
    NodeSettings settings;
    boolean[] generated = {false};
    try {
      Properties properties = read(file);
      if (startMode != null) {
        properties.setProperty(NodeSettings.START_MODE_KEY, startMode);
      }
      settings = NodeSettings.fromProperties(properties, Path.of("").toAbsolutePath(), nodeDir -> {
        generated[0] = true;
        return generatedPassword(nodeDir);
      });
    } catch (IllegalArgumentException e) {
      fail(file + ": " + e.getMessage());
      return;
    }
    Path jar = PlatformProbe.platformJar();
    System.out.println("paxos node " + settings.nodeId() + ": paxos " + settings.listenHost() + ":" + settings.port()
        + ", home " + settings.nodeDir());
    System.out.println("  web console " + settings.consoleUrl() + "  login " + settings.consoleUser()
        + (generated[0] ? " / " + settings.consolePassword() + "  (generated, kept in "
            + settings.nodeDir().resolve("console.properties") + ")" : " / (password from " + file + ")"));
    System.out.println("  deploy bundles and .cfg files into " + settings.nodeDir().resolve("deploy"));

    long startNanos = System.nanoTime();
    NodeProcess node = NodeProcess.start(settings, jar, Redirect.INHERIT, shell);
    announceWhenReady(node, startNanos);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.stop(STOP_TIMEOUT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "paxos-node-stop"));
    System.exit(node.onExit().join());
  }

  /**
   * Prints "up" once the node's {@code /paxos/ready} answers 200 (engine and deployed plugins
   * serve), on a daemon thread polling every 500 ms while the node runs; after 2 minutes it
   * prints once why the node is not ready yet and goes on polling.
   */
  private static void announceWhenReady(NodeProcess node, long startNanos) {
    Thread watcher = new Thread(() -> {
      boolean warned = false;
      try {
        while (node.isAlive()) {
          PlatformProbe.Readiness readiness = PlatformProbe.readiness(node.settings());
          long millis = (System.nanoTime() - startNanos) / 1_000_000;
          if (readiness.ready()) {
            System.out.println("paxos node " + node.settings().nodeId() + ": up (ready) in " + millis + " ms");
            return;
          }
          if (!warned && millis > Demo.START_TIMEOUT_MILLIS) {
            warned = true;
            System.out.println("paxos node " + node.settings().nodeId() + ": not ready yet: " + readiness.body());
          }
          Thread.sleep(500);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "paxos-node-ready");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Properties read(Path file) {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException e) {
      fail("cannot read " + file + ": " + e.getMessage());
    }
    return properties;
  }

  private static String generatedPassword(Path nodeDir) {
    try {
      Secrets secrets = Secrets.open(nodeDir.resolve("console.properties"));
      String password = secrets.getOrGenerate("console.password", 12);
      secrets.save();
      return password;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void fail(String message) {
    System.err.println("paxos node: " + message);
    System.err.println(USAGE);
    System.exit(2);
  }
}
