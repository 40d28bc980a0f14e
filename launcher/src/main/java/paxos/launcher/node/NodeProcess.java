package paxos.launcher.node;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node's platform running as a child JVM: {@code java @nodeDir/node.args -jar platform.jar},
 * working directory {@code nodeDir}. Stopping sends SIGTERM ({@link Process#destroy()}); the
 * platform's shutdown hook (bundle paxos.launcher) then stops the framework cleanly. Safe to
 * stop from any thread, e.g. a JVM shutdown hook.
 *
 * <p><b>Signals.</b> A process started in the background by a shell without job control has
 * SIGINT ignored, children inherit that, and a JVM that finds SIGINT ignored at its start never
 * handles it: such a node would shrug off {@code kill -INT} and Ctrl-C. So the JVM is started
 * through {@code env --default-signal=INT} (GNU coreutils 8.31+) where available, which resets
 * SIGINT to its default before {@code exec}ing java (same pid).
 *
 * <p>Every start writes the node's {@link PidFile}.
 */
public final class NodeProcess {

  /** The command prefix that resets SIGINT to its default for the child, or nothing if unsupported. */
  private static final List<String> SIGINT_RESET = sigintReset();

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
    List<String> command = new ArrayList<>(SIGINT_RESET);
    command.addAll(List.of(java, "-D" + PidFile.PROPERTY + "=" + PidFile.path(settings.nodeDir()),
        "-Dgosh.args=" + (interactive ? "--noshutdown" : "--nointeractive --noshutdown"),
        "@" + NodeHome.argsFile(settings), "-jar", platformJar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(settings.nodeDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(output)
        .redirectInput(interactive ? Redirect.INHERIT : Redirect.PIPE);
    Process process = builder.start();
    if (!interactive) {
      process.getOutputStream().close();
    }
    new PidFile(process.pid(), settings.listenHost() + ":" + settings.port(),
        settings.httpHost() + ":" + settings.httpPort()).write(settings.nodeDir());
    return new NodeProcess(settings, process);
  }

  private static List<String> sigintReset() {
    List<String> reset = List.of("env", "--default-signal=INT");
    try {
      Process probe = new ProcessBuilder(reset.get(0), reset.get(1), "true")
          .redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
      return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0 ? reset : List.of();
    } catch (IOException e) {
      return List.of(); // no GNU env: the node inherits this process's SIGINT disposition
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
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
