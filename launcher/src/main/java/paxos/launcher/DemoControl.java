package paxos.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import paxos.launcher.node.PidFile;

/**
 * {@code ./paxos demo status} and {@code ./paxos demo stop}: every node of a demo data directory
 * ({@code DIR/node-N/}), found through its {@link PidFile} whichever launcher started it. Stale
 * pid files (the node was killed) are reported and removed, never acted on: a pid counts only
 * while it is a java process whose command line names that node's directory.
 */
final class DemoControl {

  private DemoControl() {
  }

  /** One node directory and what its pid file says. */
  private record Node(int id, Path dir, Optional<PidFile> pidFile, Optional<ProcessHandle> process) {

    static Node of(Path dir) {
      Optional<PidFile> file = PidFile.read(dir);
      int id = Integer.parseInt(dir.getFileName().toString().substring("node-".length()));
      return new Node(id, dir, file, file.flatMap(f -> f.running(dir)));
    }

    String line() {
      String ports = pidFile.map(f -> "  paxos " + f.paxos() + "  http " + f.http()).orElse("");
      if (process.isPresent()) {
        return "node " + id + "  pid " + process.get().pid() + "  up" + ports;
      }
      String why = pidFile.map(f -> "  (stale pid file: pid " + f.pid() + " is not this node)").orElse("");
      return "node " + id + "  -  down" + ports + why;
    }
  }

  /** Prints one line per node: pid, up/down, Paxos and HTTP addresses. Returns 0 if any node is up, else 3. */
  static int status(Path data, PrintStream out) throws IOException {
    List<Node> nodes = nodes(data);
    if (nodes.isEmpty()) {
      out.println("paxos demo: no nodes in " + data);
      return 3;
    }
    nodes.forEach(node -> out.println(node.line()));
    return nodes.stream().anyMatch(node -> node.process().isPresent()) ? 0 : 3;
  }

  /**
   * SIGTERMs every running node of {@code data} at once, waits for each at most
   * {@code timeoutMillis}, then SIGKILLs what is left. Removes stale pid files. Returns 0 when
   * every node stopped cleanly (or none ran), 1 if one had to be killed.
   */
  static int stop(Path data, PrintStream out, long timeoutMillis) throws IOException, InterruptedException {
    List<Node> running = new ArrayList<>();
    for (Node node : nodes(data)) {
      if (node.process().isPresent()) {
        running.add(node);
        node.process().get().destroy(); // SIGTERM: the platform stops its framework cleanly
      } else if (node.pidFile().isPresent()) {
        Files.deleteIfExists(PidFile.path(node.dir()));
        out.println("node " + node.id() + ": removed a stale pid file (pid " + node.pidFile().get().pid() + ")");
      }
    }
    if (running.isEmpty()) {
      out.println("paxos demo: no node of " + data + " is running");
      return 0;
    }
    out.println("paxos demo: stopping " + running.stream().map(n -> "node " + n.id() + " (pid "
        + n.process().get().pid() + ")").toList() + "...");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    int code = 0;
    for (Node node : running) {
      ProcessHandle process = node.process().get();
      try {
        process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        out.println("node " + node.id() + ": stopped");
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        process.destroyForcibly();
        Files.deleteIfExists(PidFile.path(node.dir()));
        out.println("node " + node.id() + ": killed (no clean exit within " + timeoutMillis / 1000 + " s)");
        code = 1;
      }
    }
    return code;
  }

  /** The {@code node-N} directories of {@code data}, by N. */
  private static List<Node> nodes(Path data) throws IOException {
    if (!Files.isDirectory(data)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(data)) {
      return dirs.filter(Files::isDirectory).filter(d -> d.getFileName().toString().matches("node-\\d+"))
          .map(Node::of).sorted(java.util.Comparator.comparingInt(Node::id)).toList();
    }
  }
}
