package paxos.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One child JVM running {@code paxos.node.tool.NodeProcess} on the JPMS module path ({@link #start})
 * or another main with the same flags on the class path ({@link #startOnClassPath}, e.g.
 * {@link KvNodeProcess}), spoken to over its stdin/stdout line protocol. Commands answered with
 * {@code ok <id> ...} / {@code err <id> ...} are asynchronous, through callbacks ({@link #propose},
 * {@link #call}); other commands are request/response ({@link #request}). Stderr lines (the
 * child's log lines at INFO and above) are counted and echoed with a {@code [node N]} prefix.
 *
 * <p>If the process dies, every unanswered callback gets {@code err <id> ProcessDied}.
 */
final class NodeHandle {
    /** A proposal's answer: {@code ok} with a position, or {@code err} with an exception name. */
    record Answer(String clientId, boolean ok, long instance, int index, String error) {}

    final int nodeId;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> responses = new LinkedBlockingQueue<>();
    private final Map<String, Consumer<String[]>> pending = new ConcurrentHashMap<>();
    private final AtomicLong stderrLines = new AtomicLong();
    /** The last {@value #RECENT_STDERR_MAX} stderr lines, e.g. why a node refused to start. */
    private final java.util.Deque<String> recentStderr = new java.util.ArrayDeque<>();
    private static final int RECENT_STDERR_MAX = 50;
    /** Log lines at WARNING and above ({@code LOG WARNING ...}, {@code LOG SEVERE ...}), the first 200. */
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final int WARNINGS_MAX = 200;
    private final Thread stderrReader;
    private volatile boolean alive = true;

    private NodeHandle(int nodeId, Process process) {
        this.nodeId = nodeId;
        this.process = process;
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread out = new Thread(this::readStdout, "node-" + nodeId + "-stdout");
        out.setDaemon(true);
        out.start();
        stderrReader = new Thread(this::readStderr, "node-" + nodeId + "-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /**
     * Starts a node on the module path and returns once it printed {@code ready}.
     *
     * @param modulePath the jars of paxos.node, its paxos dependencies and Netty
     */
    static NodeHandle start(String modulePath, int nodeId, String members, Path dataDir, String... extraFlags)
            throws IOException, InterruptedException {
        return launch(List.of("--module-path", modulePath,
                // Netty's epoll modules are optional (requires static / not required): add them to use epoll
                "--add-modules", "io.netty.transport.classes.epoll,io.netty.transport.epoll.linux.x86_64",
                "-m", "paxos.node/paxos.node.tool.NodeProcess"), nodeId, members, dataDir, extraFlags);
    }

    /**
     * Starts {@code mainClass} (which takes the flags of {@code paxos.node.tool.ProcessOptions} and
     * prints {@code ready}) on this JVM's class path, e.g. {@link KvNodeProcess}.
     */
    static NodeHandle startOnClassPath(Class<?> mainClass, int nodeId, String members, Path dataDir, String... extraFlags)
            throws IOException, InterruptedException {
        return launch(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()),
                nodeId, members, dataDir, extraFlags);
    }

    private static NodeHandle launch(List<String> launcher, int nodeId, String members, Path dataDir, String... extraFlags)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(launcher);
        cmd.addAll(List.of("--node-id", String.valueOf(nodeId), "--members", members, "--data-dir", dataDir.toString(),
                "--secret", "multi-process-test-secret", "--sync", "SYNC"));
        cmd.addAll(List.of(extraFlags));
        NodeHandle h = new NodeHandle(nodeId, new ProcessBuilder(cmd).start());
        String first = h.responses.poll(60, TimeUnit.SECONDS);
        if (!"ready".equals(first)) {
            h.kill9();
            h.stderrReader.join(5_000); // it has read the process's last lines once it ends
            throw new IllegalStateException("node " + nodeId + " did not start: first line " + first + "; stderr: "
                    + h.recentStderr());
        }
        return h;
    }

    boolean alive() {
        return alive && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Lines the child wrote to stderr so far (its log lines at INFO and above, and anything else). */
    long stderrLines() {
        return stderrLines.get();
    }

    /** The last lines the child wrote to stderr (at most 50), joined by newlines. */
    String recentStderr() {
        synchronized (recentStderr) {
            return String.join("\n", recentStderr);
        }
    }

    /** The child's log lines at WARNING and above so far (the first 200), e.g. to count a warning. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Sends a proposal; {@code onAnswer} runs on this handle's reader thread. */
    void propose(int group, String clientId, String value, Consumer<Answer> onAnswer) {
        call(clientId, "propose " + group + " " + clientId + " " + value, w -> onAnswer.accept(w[0].equals("ok")
                ? new Answer(w[1], true, Long.parseLong(w[2]), Integer.parseInt(w[3]), null)
                : new Answer(w[1], false, -1, -1, w[2])));
    }

    /**
     * Sends {@code line}, a command the child answers asynchronously with {@code ok <id> ...} or
     * {@code err <id> <error>}; {@code onAnswer} gets the answer's words on this handle's reader
     * thread, or {@code err <id> ProcessDied} if the process dies first.
     */
    void call(String id, String line, Consumer<String[]> onAnswer) {
        pending.put(id, onAnswer);
        try {
            send(line);
        } catch (IOException e) {
            Consumer<String[]> c = pending.remove(id);
            if (c != null) c.accept(died(id));
        }
    }

    private static String[] died(String id) {
        return new String[] {"err", id, "ProcessDied"};
    }

    /** Sends {@code line} and waits (at most 30 s) for the answer starting with {@code line}'s first word. */
    String[] request(String line) throws IOException, InterruptedException {
        return request(line, 30_000);
    }

    /** Like {@link #request(String)}, waiting at most {@code timeoutMillis}. */
    synchronized String[] request(String line, long timeoutMillis) throws IOException, InterruptedException {
        String word = line.split(" ")[0];
        send(line);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            String r = responses.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) throw new IllegalStateException("node " + nodeId + ": no answer to '" + line + "'");
            if (r.startsWith("error ")) throw new IllegalStateException("node " + nodeId + ": " + r);
            if (r.startsWith(word + " ")) return r.split(" ");
        }
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux); waits until the process is gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Asks the node to stop, then kills it if it did not within 20 s. */
    void quit() throws InterruptedException {
        try {
            send("quit");
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) kill9();
    }

    private synchronized void sendLocked(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    private void send(String line) throws IOException {
        if (!alive) throw new IOException("node " + nodeId + " is not running");
        sendLocked(line);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("ok ") || line.startsWith("err ")) answer(line.split(" "));
                else responses.add(line);
            }
        } catch (IOException ignored) {
            // the process died
        } finally {
            alive = false;
            responses.add("exited"); // a start waiting for "ready" fails at once, not after its timeout
            for (String id : List.copyOf(pending.keySet())) {
                Consumer<String[]> c = pending.remove(id);
                if (c != null) c.accept(died(id));
            }
        }
    }

    private void answer(String[] w) {
        Consumer<String[]> c = pending.remove(w[1]);
        if (c != null) c.accept(w);
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                stderrLines.incrementAndGet();
                if ((line.startsWith("LOG WARNING ") || line.startsWith("LOG SEVERE ")) && warnings.size() < WARNINGS_MAX)
                    warnings.add(line);
                synchronized (recentStderr) {
                    if (recentStderr.size() == RECENT_STDERR_MAX) recentStderr.removeFirst();
                    recentStderr.addLast(line);
                }
                System.err.println("[node " + nodeId + "] " + line);
            }
        } catch (IOException ignored) {
            // the process died
        }
    }
}
