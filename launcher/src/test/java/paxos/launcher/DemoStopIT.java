package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.launcher.node.PidFile;

/**
 * {@code ./paxos demo stop|status} on nodes started by two separate demo launchers (as after
 * {@code ./paxos demo --node N}): node 1's launcher runs with SIGINT ignored, as a shell's
 * background job does, and node 1 still stops on SIGINT and removes its pid file; a stale pid
 * file (a live java process that is not the node) is reported and left alive; {@code stop}
 * stops node 2 and both launchers exit.
 */
class DemoStopIT {

  private static final Duration START = Duration.ofSeconds(240);
  private static final Duration STOP = Duration.ofSeconds(60);

  @TempDir Path temp;
  private final List<Process> launchers = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    for (Process launcher : launchers) {
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }

  @Test
  void stopAndStatusFindEveryNodeOfTheDataDirectory() throws Exception {
    int[] ports = TestSupport.freePorts(6);
    Path data = temp.resolve("demo");
    List<String> flags = List.of("--paxos-ports", ports[0] + "," + ports[1] + "," + ports[2],
        "--http-ports", ports[3] + "," + ports[4] + "," + ports[5], "--data", data.toString());
    // bash without job control ignores SIGINT for background jobs; `trap '' INT` does the same here
    Process background = launcher(List.of("bash", "-c", "trap '' INT; exec \"$@\"", "demo"), flags, "1");
    awaitStarted(data, 1, ports[3]);
    // one after the other: two first starts at once would each generate demo.properties
    Process foreground = launcher(List.of(), flags, "2");
    awaitStarted(data, 2, ports[4]);
    assertTrue(ignoresSigint(background.pid()), "the premise: node 1's launcher ignores SIGINT");
    long node1 = PidFile.read(data.resolve("node-1")).orElseThrow().pid();
    assertFalse(ignoresSigint(node1), "node 1 does not inherit the ignored SIGINT");

    // a stale pid file: a live java process (this test's JVM) that is not node 3
    Files.createDirectories(data.resolve("node-3"));
    new PidFile(ProcessHandle.current().pid(), "127.0.0.1:" + ports[2], "127.0.0.1:" + ports[5])
        .write(data.resolve("node-3"));

    new ProcessBuilder("kill", "-INT", Long.toString(node1)).start().waitFor();
    TestSupport.await().atMost(STOP).until(() -> ProcessHandle.of(node1).isEmpty()
        && !Files.exists(PidFile.path(data.resolve("node-1"))));

    String status = run(out -> DemoControl.status(data, out), 0);
    long node2 = PidFile.read(data.resolve("node-2")).orElseThrow().pid();
    assertTrue(status.contains("node 1  -  down"), status);
    assertTrue(status.contains("node 2  pid " + node2 + "  up  paxos 127.0.0.1:" + ports[1]
        + "  http 127.0.0.1:" + ports[4]), status);
    assertTrue(status.contains("node 3  -  down") && status.contains("stale pid file"), status);

    String stopped = run(out -> DemoControl.stop(data, out, STOP.toMillis()), 0);
    assertTrue(stopped.contains("node 2: stopped"), stopped);
    assertTrue(ProcessHandle.of(node2).isEmpty(), "node 2 exited");
    assertFalse(Files.exists(PidFile.path(data.resolve("node-2"))), "removed at its clean exit");
    assertFalse(Files.exists(PidFile.path(data.resolve("node-3"))), "the stale file is removed, its pid left alone");
    TestSupport.await().atMost(STOP).until(() -> !background.isAlive() && !foreground.isAlive());
    assertEquals(3, DemoControl.status(data, new PrintStream(PrintStream.nullOutputStream())), "nothing up");
  }

  /** Waits until node {@code n}'s pid file names a live node that answers HTTP (any status). */
  private void awaitStarted(Path data, int n, int httpPort) throws Exception {
    Path dir = data.resolve("node-" + n);
    try {
      TestSupport.await().atMost(START).until(() -> PidFile.read(dir).flatMap(f -> f.running(dir)).isPresent()
          && new Http(httpPort).get("/paxos/status").status() != -1);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("node " + n + " did not start: pid file " + PidFile.read(dir) + ", running "
          + PidFile.read(dir).flatMap(f -> f.running(dir)) + ", launcher output:\n"
          + Files.readString(temp.resolve("launcher-" + n + ".out")), e);
    }
  }

  private interface Control {
    int run(PrintStream out) throws Exception;
  }

  private static String run(Control control, int expectedCode) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = control.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    assertEquals(expectedCode, code, text);
    return text;
  }

  /** Bit 2 (SIGINT) of the process's ignored-signal mask, from /proc (Linux). */
  private static boolean ignoresSigint(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).trim(), 16) & 0x2) != 0;
      }
    }
    throw new AssertionError("no SigIgn in /proc/" + pid + "/status");
  }

  private Process launcher(List<String> prefix, List<String> flags, String node) throws Exception {
    List<String> all = new ArrayList<>(flags);
    all.addAll(List.of("--node", node));
    Process process = TestSupport.demo(prefix, all).redirectErrorStream(true)
        .redirectOutput(temp.resolve("launcher-" + node + ".out").toFile()).start();
    launchers.add(process);
    return process;
  }
}
