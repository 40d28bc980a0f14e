package paxos.launcher.node;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node's platform running as a child JVM: {@code java @nodeDir/node.args -jar platform.jar},
 * working directory {@code nodeDir}. Stopping sends SIGTERM ({@link Process#destroy()}); the
 * platform's shutdown hook (bundle paxos.launcher) then stops the framework cleanly. Safe to
 * stop from any thread, e.g. a JVM shutdown hook.
 */
public final class NodeProcess {

  private final NodeSettings settings;
  private final Process process;

  private NodeProcess(NodeSettings settings, Process process) {
    this.settings = settings;
    this.process = process;
  }

  /**
   * Prepares the node's home ({@link NodeHome#prepare}) and starts its JVM.
   *
   * @param output where the node's stdout and stderr go, e.g. {@code Redirect.appendTo(log)}
   *     or {@code Redirect.INHERIT}
   * @param interactive whether the node reads a Gogo shell from this process's stdin; if not
   *     its stdin is closed and the shell stays off (end of input never stops the node)
   * @throws IOException if the files cannot be written or java cannot be started
   */
  public static NodeProcess start(NodeSettings settings, Path platformJar, Redirect output,
      boolean interactive) throws IOException {
    NodeHome.prepare(settings);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java,
        "-Dgosh.args=" + (interactive ? "--noshutdown" : "--nointeractive --noshutdown"),
        "@" + NodeHome.argsFile(settings), "-jar", platformJar.toString())
        .directory(settings.nodeDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(output)
        .redirectInput(interactive ? Redirect.INHERIT : Redirect.PIPE);
    Process process = builder.start();
    if (!interactive) {
      process.getOutputStream().close();
    }
    return new NodeProcess(settings, process);
  }

  public NodeSettings settings() {
    return settings;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Completes with the exit code when the JVM has exited. */
  public CompletableFuture<Integer> onExit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  /**
   * Sends SIGTERM and waits for the exit at most {@code timeoutMillis}; then kills it (SIGKILL).
   * Returns true if it exited within the bound. Idempotent.
   */
  public boolean stop(long timeoutMillis) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    return false;
  }

  /** Stops all nodes in parallel (SIGTERM to each first), each within {@code timeoutMillis}. */
  public static void stopAll(List<NodeProcess> nodes, long timeoutMillis) throws InterruptedException {
    for (NodeProcess node : nodes) {
      node.process.destroy();
    }
    for (NodeProcess node : nodes) {
      node.stop(timeoutMillis);
    }
  }
}
