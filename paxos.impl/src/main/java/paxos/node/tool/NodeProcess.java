package paxos.node.tool;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import paxos.api.OverloadedException;
import paxos.api.spi.log.LogStoreStats;
import paxos.node.EmbeddedNode;

/**
 * One node as an operating-system process, driven by a parent (tests, the 3-process benchmark)
 * over a line protocol on stdin/stdout. Starts an {@link EmbeddedNode} from the flags of
 * {@link ProcessOptions} with one {@link ChecksumStateMachine} (ID {@value #STATE_MACHINE_ID}) per
 * group, prints {@code ready}, then serves one command per input line:
 *
 * <pre>
 *   propose &lt;group&gt; &lt;clientId&gt; &lt;value&gt;  -&gt; ok &lt;clientId&gt; &lt;instance&gt; &lt;index&gt;  |  err &lt;clientId&gt; &lt;ExceptionSimpleName&gt;
 *   status &lt;group&gt;                     -&gt; status &lt;group&gt; &lt;executedInstance&gt; &lt;checksum&gt; &lt;count&gt;
 *   dump &lt;group&gt; &lt;from&gt; &lt;max&gt;          -&gt; dump &lt;group&gt; &lt;from&gt; &lt;n&gt; &lt;truncated&gt; [&lt;instance&gt;:&lt;index&gt;:&lt;value&gt; ...]
 *   leader &lt;group&gt;                     -&gt; leader &lt;group&gt; &lt;nodeId or 0&gt;
 *   stats                              -&gt; stats &lt;fsyncs&gt; &lt;recordsAppended&gt; &lt;logLinesAtInfoOrAbove&gt;
 *   quit (or end of input)             -&gt; bye, then the process exits 0
 * </pre>
 *
 * <p>Values are the UTF-8 bytes of the token (no whitespace). {@code propose} answers
 * asynchronously, in completion order, so many may be in flight (at most
 * {@value #IN_FLIGHT_MAX}; beyond that it answers {@code err <clientId> OverloadedException});
 * every other command answers in order. A malformed line gets {@code error <message>}.
 * Log records at INFO and above go to stderr, one line each ({@link LogLineCounter}).
 * Exit codes: 0 after quit, 1 if the node fails to start, 2 for bad flags.
 */
public final class NodeProcess {
    /** The ID the checksum state machine is registered under in every group. */
    public static final int STATE_MACHINE_ID = 1;
    /** Most proposals waiting for their answer at once. */
    static final int IN_FLIGHT_MAX = 10_000;

    private final EmbeddedNode node;
    private final LogLineCounter logs;
    private final LineWriter out;
    private final AtomicInteger inFlight = new AtomicInteger();

    private NodeProcess(EmbeddedNode node, LogLineCounter logs, LineWriter out) {
        this.node = node;
        this.logs = logs;
        this.out = out;
    }

    /** Entry point; see the class comment for flags and protocol. */
    public static void main(String[] args) throws IOException {
        ProcessOptions options;
        try {
            options = ProcessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(ProcessOptions.USAGE);
            System.exit(2);
            return;
        }
        // our own buffered stream: System.out flushes on every line
        PrintStream stdout = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        LogLineCounter logs = LogLineCounter.install(System.err);
        EmbeddedNode node;
        try {
            node = EmbeddedNode.start(options.config(), Map.of(STATE_MACHINE_ID,
                    (group, dir) -> new ChecksumStateMachine(options.entriesMax())));
        } catch (RuntimeException | Error e) { // an Error too: a broken module path shows up as one
            System.err.println("error: node failed to start: " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "node-shutdown"));
        LineWriter out = new LineWriter(stdout, IN_FLIGHT_MAX + 1024);
        out.start();
        out.line("ready");
        new NodeProcess(node, logs, out).serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        node.close();
        out.line("bye");
        out.close();
        System.exit(0);
    }

    private void serve(BufferedReader in) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            try {
                switch (words[0]) {
                    case "propose" -> propose(words);
                    case "status" -> status(words);
                    case "dump" -> dump(words);
                    case "leader" -> {
                        int g = group(words, 2);
                        out.line("leader " + g + " " + node.node().status(g).leaderNodeId());
                    }
                    case "stats" -> {
                        LogStoreStats s = node.store().stats();
                        out.line("stats " + s.fsyncs() + " " + s.recordsAppended() + " " + logs.lines());
                    }
                    case "quit" -> {
                        return;
                    }
                    case "" -> { }
                    default -> out.line("error unknown command '" + words[0] + "'");
                }
            } catch (IllegalArgumentException e) {
                out.line("error " + e.getMessage().replace('\n', ' '));
            }
        }
    }

    private void propose(String[] words) {
        if (words.length != 4) throw new IllegalArgumentException("usage: propose <group> <clientId> <value>");
        int group = Integer.parseInt(words[1]);
        String client = words[2];
        if (inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
            inFlight.decrementAndGet();
            out.line("err " + client + " " + OverloadedException.class.getSimpleName());
            return;
        }
        // answered on an engine thread: LineWriter.line only queues, it never blocks
        node.node().propose(group, STATE_MACHINE_ID, words[3].getBytes(StandardCharsets.UTF_8)).whenComplete((p, e) -> {
            inFlight.decrementAndGet();
            if (e == null) out.line("ok " + client + " " + p.instance() + " " + p.index());
            else out.line("err " + client + " " + unwrap(e).getClass().getSimpleName());
        });
    }

    private void status(String[] words) {
        int g = group(words, 2);
        ChecksumStateMachine.Snapshot s = machine(g).snapshot();
        out.line("status " + g + " " + s.executedInstance() + " " + s.checksum() + " " + s.count());
    }

    private void dump(String[] words) {
        if (words.length != 4) throw new IllegalArgumentException("usage: dump <group> <from> <max>");
        int g = group(words, 4);
        int from = Integer.parseInt(words[2]);
        ChecksumStateMachine m = machine(g);
        List<ChecksumStateMachine.Entry> entries = m.entries(from, Math.min(Integer.parseInt(words[3]), 100_000));
        StringBuilder b = new StringBuilder("dump ").append(g).append(' ').append(from).append(' ')
                .append(entries.size()).append(' ').append(m.truncated());
        for (ChecksumStateMachine.Entry e : entries)
            b.append(' ').append(e.instance()).append(':').append(e.index()).append(':')
                    .append(new String(e.value(), StandardCharsets.UTF_8));
        out.line(b.toString());
    }

    private int group(String[] words, int length) {
        if (words.length != length) throw new IllegalArgumentException("wrong number of arguments for " + words[0]);
        int g = Integer.parseInt(words[1]);
        if (g < 0 || g >= node.node().groupCount())
            throw new IllegalArgumentException("group must be in 0.." + (node.node().groupCount() - 1) + ": " + g);
        return g;
    }

    private ChecksumStateMachine machine(int group) {
        return (ChecksumStateMachine) node.stateMachine(group, STATE_MACHINE_ID);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
