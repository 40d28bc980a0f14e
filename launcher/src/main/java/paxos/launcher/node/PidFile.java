package paxos.launcher.node;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * A node's pid file, {@code nodeDir/node.pid}: which process runs the node and on which ports,
 * so that {@code ./paxos demo stop|status} finds every node of a data directory however it was
 * started (by the demo, by {@code --node N} beside it, by a launcher that has since died).
 * Written by {@link NodeProcess#start} as soon as the JVM runs; removed by the node itself at a
 * clean exit (bundle {@code paxos.launcher}, told the path by {@link #PROPERTY}). A file left by
 * a killed node is told apart from a live one by {@link #running}: the pid must belong to a live
 * java process whose command line names this node directory (pids are reused).
 *
 * @param pid the node's JVM
 * @param paxos the Paxos listen address, {@code host:port}
 * @param http the web console / REST address, {@code host:port}
 */
public record PidFile(long pid, String paxos, String http) {

  /** The system property through which the node's JVM learns where its pid file is. */
  public static final String PROPERTY = "paxos.pidFile";

  /** Where node {@code nodeDir}'s pid file lives. */
  public static Path path(Path nodeDir) {
    return nodeDir.resolve("node.pid");
  }

  /** Writes this record as {@code nodeDir/node.pid} (atomically replacing an older one). */
  public void write(Path nodeDir) throws IOException {
    String text = "# written by the paxos launcher; removed by the node at a clean exit\n"
        + "pid=" + pid + "\npaxos=" + paxos + "\nhttp=" + http + "\n";
    Path file = path(nodeDir);
    Path temp = file.resolveSibling(".node.pid.tmp");
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The pid file of {@code nodeDir}, or empty if there is none or it cannot be parsed. */
  public static Optional<PidFile> read(Path nodeDir) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(path(nodeDir), StandardCharsets.UTF_8)) {
      p.load(in);
      return Optional.of(new PidFile(Long.parseLong(p.getProperty("pid", "").trim()),
          p.getProperty("paxos", "?"), p.getProperty("http", "?")));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The live process this file names, if it is still node {@code nodeDir}: a java process whose
   * command line contains the node directory. Empty for a stale file (process gone, or the pid
   * reused by something else).
   */
  public Optional<ProcessHandle> running(Path nodeDir) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
      ProcessHandle.Info info = handle.info();
      boolean java = info.command().map(c -> Path.of(c).getFileName().toString().startsWith("java")).orElse(false);
      return java && info.commandLine().orElse("").contains(nodeDir.toAbsolutePath().normalize().toString());
    });
  }
}
