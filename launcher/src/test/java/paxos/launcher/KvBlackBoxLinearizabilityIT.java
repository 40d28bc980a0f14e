package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.testkit.Linearizability;
import paxos.testkit.Linearizability.Op;

/**
 * The KV as a black box, the way a user meets it: {@code ./paxos demo} (Demo in its own JVM), one
 * HTTP client per node writing unique values and reading (linearizable) a few keys, while one
 * node at a time is SIGKILLed and started again with {@code ./paxos demo --node N}. The whole
 * history must be linearizable ({@link Linearizability}), and every 404 must carry
 * {@code X-Paxos-Instance} (a 404 without it, e.g. Jetty's while the KV servlet is not yet
 * registered, would be read as "absent" and break linearizability).
 *
 * <p>Outcomes: a 200 write is completed; a write answered 503 by the platform's not-ready
 * fallback, or refused before connecting, had no effect and is left out; any other failed write
 * (timeout, 503/504 of the engine, connection lost) is an unknown outcome. Reads that fail say
 * nothing and are left out. Bounded: at most {@link #OPS_MAX} operations and about a minute of
 * load: per node {@link #PHASE} before its kill, {@link #PHASE} down, its restart, 3 s after.
 */
class KvBlackBoxLinearizabilityIT {

  private static final int OPS_MAX = 4_000;
  private static final long PACE_MILLIS = 80;
  private static final List<String> KEYS = List.of("bb-a", "bb-b", "bb-c", "bb-d", "bb-e", "bb-f");
  /** 3 s of load, about 100 requests, before each kill and again before each restart (6 s until 2026-12). */
  private static final Duration PHASE = Duration.ofSeconds(3);

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
  void historyUnderKillAndRestartOfEachNodeIsLinearizable() throws Exception {
    int[] ports = TestSupport.freePorts(6);
    String[] flags = {"--paxos-ports", ports[0] + "," + ports[1] + "," + ports[2],
        "--http-ports", ports[3] + "," + ports[4] + "," + ports[5], "--data", temp.resolve("demo").toString()};
    Http[] node = {null, new Http(ports[3]), new Http(ports[4]), new Http(ports[5])};
    Path out = temp.resolve("demo.out");
    demos.add(DemoKillRestartIT.demo(flags, List.of(), out));
    TestSupport.await().atMost(Duration.ofSeconds(150)).until(() -> Files.readString(out).contains("3 nodes up"));
    Map<Integer, Long> pids = new ConcurrentHashMap<>(DemoKillRestartIT.pids(Files.readString(out)));
    assertEquals(3, pids.size(), Files.readString(out));

    List<Op> history = new CopyOnWriteArrayList<>();
    AtomicInteger wrong404s = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int c = 1; c <= 3; c++) {
      int client = c;
      Thread t = new Thread(() -> runClient(client, node[client], history, wrong404s, attempts, running), "client-" + c);
      clients.add(t);
      t.start();
    }
    long loadStart = System.nanoTime();
    try {
      for (int victim = 1; victim <= 3; victim++) {
        pause(PHASE, attempts);
        ProcessHandle handle = ProcessHandle.of(pids.get(victim)).orElseThrow();
        assertTrue(handle.info().commandLine().orElse("").contains("platform.jar"), "pid of node " + victim);
        handle.destroyForcibly(); // SIGKILL
        handle.onExit().join();
        pause(PHASE, attempts);
        Path restartOut = temp.resolve("demo-node" + victim + ".out");
        demos.add(DemoKillRestartIT.demo(flags, List.of("--node", Integer.toString(victim)), restartOut));
        String up = "node " + victim + " up";
        TestSupport.await().atMost(Duration.ofSeconds(150)).until(() -> Files.readString(restartOut).contains(up));
        pids.putAll(DemoKillRestartIT.pids(Files.readString(restartOut)));
        pause(Duration.ofSeconds(3), attempts);
      }
    } finally {
      running.set(false);
      for (Thread t : clients) {
        t.join(30_000);
      }
    }
    long loadMillis = (System.nanoTime() - loadStart) / 1_000_000;
    long writes = history.stream().filter(Op::write).count();
    long unknown = history.stream().filter(op -> !op.completed()).count();
    System.out.printf("black box: %d requests, %d ops in the history (%d writes, %d of unknown outcome) in %d ms%n",
        attempts.get(), history.size(), writes, unknown, loadMillis);
    assertEquals(0, wrong404s.get(), "404 answers without X-Paxos-Instance");
    assertTrue(history.stream().filter(op -> !op.write()).count() > 50, "reads were served");
    Linearizability.Result result = Linearizability.check(history);
    assertEquals(Linearizability.Verdict.LINEARIZABLE, result.verdict(), "key " + result.key() + ": " + result.ops());
  }

  /** One client: random writes of unique values and reads, on its own node, until told to stop. */
  private static void runClient(int client, Http http, List<Op> history, AtomicInteger wrong404s,
      AtomicInteger attempts, AtomicBoolean running) {
    Random random = new Random(client);
    int seq = 0;
    while (running.get() && attempts.incrementAndGet() <= OPS_MAX) {
      String key = KEYS.get(random.nextInt(KEYS.size()));
      long called = System.nanoTime();
      if (random.nextBoolean()) {
        String value = "c" + client + "-" + seq++;
        Http.Reply reply = http.put("/kv/" + key, value);
        long returned = System.nanoTime();
        if (reply.status() == 200) {
          history.add(Op.write(client, key, value, called, returned));
        } else if (!hadNoEffect(reply)) {
          history.add(Op.write(client, key, value, called, Long.MAX_VALUE));
        }
      } else {
        Http.Reply reply = http.get("/kv/" + key);
        long returned = System.nanoTime();
        if (reply.status() == 404 && reply.instance() == null) {
          wrong404s.incrementAndGet();
        } else if (reply.status() == 200 || reply.status() == 404) {
          history.add(Op.read(client, key, reply.status() == 200 ? reply.body() : null, called, returned));
        }
      }
      // a bounded rate (about 12 requests/s per client), also while the node is down
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS));
    }
  }

  // a write refused before it reached the engine: the platform's fallback, or no connection
  private static boolean hadNoEffect(Http.Reply reply) {
    return (reply.status() == 503 && reply.body().startsWith("not ready"))
        || (reply.status() == -1 && reply.body().contains("ConnectException"));
  }

  /** Lets the clients run for {@code time} (or until they used up their operations). */
  private static void pause(Duration time, AtomicInteger attempts) {
    long end = System.nanoTime() + time.toNanos();
    TestSupport.await().atMost(time.plusSeconds(5)).until(() -> System.nanoTime() >= end || attempts.get() >= OPS_MAX);
  }
}
