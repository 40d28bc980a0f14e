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
import java.nio.file.Path;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineFactory;
import paxos.impl.runtime.CheckpointConfig;
import paxos.impl.runtime.TransferStatus;
import paxos.node.EmbeddedNode;
import paxos.node.NodeConfig;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;
import paxos.transport.netty.NettyTransport;

/**
 * One node as an operating-system process, driven by a parent (tests, the 3-process benchmark)
 * over a line protocol on stdin/stdout. Starts an {@link EmbeddedNode} from the flags of
 * {@link ProcessOptions} with one {@link ChecksumStateMachine} (or, with {@code --state-machine file},
 * one {@link FileChecksumStateMachine}) (ID {@value #STATE_MACHINE_ID}) per group, prints
 * {@code ready}, then serves one command per input line:
 *
 * <pre>
 *   propose &lt;group&gt; &lt;clientId&gt; &lt;value&gt;  -&gt; ok &lt;clientId&gt; &lt;instance&gt; &lt;index&gt;  |  err &lt;clientId&gt; &lt;ExceptionSimpleName&gt;
 *   status &lt;group&gt;                     -&gt; status &lt;group&gt; &lt;executedInstance&gt; &lt;checksum&gt; &lt;count&gt;
 *   read &lt;group&gt; &lt;stale|lease|linearizable&gt;  -&gt; read &lt;group&gt; &lt;barrierInstance&gt; &lt;executedInstance&gt; &lt;checksum&gt; &lt;count&gt;
 *                                         (a read through {@code readBarrier}, then the state machine's snapshot;
 *                                         waits at most {@value #READ_WAIT_MILLIS} ms; {@code error ...} if refused)
 *   dump &lt;group&gt; &lt;from&gt; &lt;max&gt;          -&gt; dump &lt;group&gt; &lt;from&gt; &lt;n&gt; &lt;truncated&gt; [&lt;instance&gt;:&lt;index&gt;:&lt;value&gt; ...]
 *   leader &lt;group&gt;                     -&gt; leader &lt;group&gt; &lt;nodeId or 0&gt;
 *   stats                              -&gt; stats &lt;fsyncs&gt; &lt;recordsAppended&gt; &lt;logLinesAtInfoOrAbove&gt;
 *   state &lt;group&gt;                      -&gt; state &lt;group&gt; &lt;GroupState&gt; &lt;minRetainedInstance&gt;
 *   opened &lt;group&gt;                     -&gt; opened &lt;group&gt; &lt;instance the file state machine held when opened, -1 in memory&gt;
 *   checkpoints                        -&gt; checkpoints &lt;n&gt; [&lt;group&gt;:&lt;direction&gt;:&lt;peer&gt;:&lt;phase&gt;:&lt;bytes&gt;:&lt;bytesTotal&gt;:&lt;instance&gt;:&lt;bytesPerSecond&gt;:&lt;outcome&gt; ...]
 *   peers                              -&gt; peers &lt;n&gt; [&lt;nodeId&gt;:&lt;reachable&gt;:&lt;lastHeardMillisAgo or -1&gt;:&lt;connected&gt; ...]
 *   members &lt;group&gt;                    -&gt; members &lt;group&gt; &lt;configVersion&gt; [&lt;id&gt;:&lt;role&gt;:&lt;incarnation or -&gt; ...]
 *   member &lt;callId&gt; add &lt;id&gt; &lt;host:port&gt; &lt;voter|follower&gt;   (cluster-wide, every group; see MemberOperation)
 *   member &lt;callId&gt; role &lt;id&gt; &lt;voter|follower&gt;
 *   member &lt;callId&gt; replace &lt;oldId&gt; &lt;newId&gt; &lt;host:port&gt;
 *   member &lt;callId&gt; remove &lt;id&gt;      -&gt; ok &lt;callId&gt; &lt;configVersion per group, comma-separated&gt;
 *                                         |  err &lt;callId&gt; &lt;group&gt;:&lt;ExceptionSimpleName&gt;[,...]
 *   quit (or end of input)             -&gt; bye, then the process exits 0
 * </pre>
 *
 * <p>Values are the UTF-8 bytes of the token (no whitespace). {@code propose} answers
 * asynchronously, in completion order, so many may be in flight (at most
 * {@value #IN_FLIGHT_MAX}; beyond that it answers {@code err <clientId> OverloadedException});
 * every other command answers in order. A malformed line gets {@code error <message>}; so does
 * {@code status}/{@code dump}/{@code opened} while a checkpoint install restarts the group's state
 * machine. In {@code checkpoints}, an outcome is a {@code TransferOutcome} name, followed by
 * {@code :_} and why it failed if it did, blanks written as {@code _} ({@code -} while running).
 * Log records at INFO and above go to stderr, one line each ({@link LogLineCounter}).
 * Exit codes: 0 after quit, 1 if the node fails to start, 2 for bad flags.
 */
public final class NodeProcess {
    /** The ID the checksum state machine is registered under in every group. */
    public static final int STATE_MACHINE_ID = 1;
    /** Most proposals waiting for their answer at once. */
    static final int IN_FLIGHT_MAX = 10_000;
    /** How long {@code read} waits for its barrier at most (the command loop waits with it). */
    static final long READ_WAIT_MILLIS = 10_000;

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
            node = start(options);
        } catch (IOException | RuntimeException | Error e) { // an Error too: a broken module path shows up as one
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

    /** Builds the log store, transport and checkpoint settings from the flags, then starts the node. */
    private static EmbeddedNode start(ProcessOptions o) throws IOException {
        NodeConfig c = o.config();
        // the identity first (--start-mode): a refused directory is left as it was
        boolean fresh = !paxos.node.NodeIdentityFile.exists(c.dataDir());
        var incarnations = EmbeddedNode.incarnations(c);
        LevelDbStoreConfig sc = EmbeddedNode.storeConfig(c, fresh);
        if (o.segmentBytes() > 0) sc = sc.withSegmentBytes(o.segmentBytes()).withCleanerIntervalMillis(100);
        CheckpointConfig cc = EmbeddedNode.checkpointConfig(c);
        if (o.checkpointBytesPerSecondMax() > 0) cc = cc.withBytesPerSecondMax(o.checkpointBytesPerSecondMax());
        if (o.checkpointChunkBytes() > 0) cc = cc.withChunks(o.checkpointChunkBytes(), cc.windowChunks());
        StateMachineFactory factory = o.fileStateMachine() ? new StateMachineFactory() {
            @Override
            public StateMachine open(int group, Path dir) throws IOException {
                return FileChecksumStateMachine.open(dir, o.entriesMax(), o.restartDelayMillis());
            }

            @Override
            public void close(StateMachine machine) throws IOException {
                FileChecksumStateMachine.pause(o.restartDelayMillis());
                ((FileChecksumStateMachine) machine).close();
            }
        } : (group, dir) -> new ChecksumStateMachine(o.entriesMax());
        LevelDbLogStore store = new LevelDbLogStore(sc);
        NettyTransport transport = null;
        try {
            transport = new NettyTransport(EmbeddedNode.transportConfig(c), incarnations);
            return EmbeddedNode.start(c, store, transport, Map.of(STATE_MACHINE_ID, factory), cc);
        } catch (IOException | RuntimeException | Error e) {
            if (transport != null) transport.close();
            store.close();
            throw e;
        }
    }

    private void serve(BufferedReader in) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            try {
                switch (words[0]) {
                    case "propose" -> propose(words);
                    case "status" -> status(words);
                    case "read" -> read(words);
                    case "dump" -> dump(words);
                    case "leader" -> {
                        int g = group(words, 2);
                        out.line("leader " + g + " " + node.node().status(g).leaderNodeId());
                    }
                    case "stats" -> {
                        LogStoreStats s = node.store().stats();
                        out.line("stats " + s.fsyncs() + " " + s.recordsAppended() + " " + logs.lines());
                    }
                    case "state" -> {
                        int g = group(words, 2);
                        paxos.api.GroupStatus st = node.node().status(g);
                        out.line("state " + g + " " + st.state() + " " + st.minRetainedInstance());
                    }
                    case "opened" -> {
                        int g = group(words, 2);
                        long at = node.stateMachine(g, STATE_MACHINE_ID) instanceof FileChecksumStateMachine f ? f.openedInstance() : -1;
                        out.line("opened " + g + " " + at);
                    }
                    case "checkpoints" -> checkpoints();
                    case "peers" -> peers();
                    case "members" -> {
                        int g = group(words, 2);
                        paxos.api.Membership m = node.node().membership(g);
                        StringBuilder b = new StringBuilder("members " + g + " " + m.configVersion());
                        for (paxos.api.Member x : m.members())
                            b.append(' ').append(x.nodeId()).append(':').append(x.role().name().toLowerCase(java.util.Locale.ROOT))
                                    .append(':').append(x.incarnation() == null ? "-" : x.incarnation());
                        out.line(b.toString());
                    }
                    case "member" -> member(words);
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

    /** A cluster-wide membership change on a thread of its own (it waits for every group), answered ok/err. */
    private void member(String[] words) {
        if (words.length < 4) throw new IllegalArgumentException("usage: member <callId> add|role|replace|remove ...");
        String call = words[1];
        paxos.impl.runtime.MemberOperation op = switch (words[2] + "/" + words.length) {
            case "add/6" -> paxos.impl.runtime.MemberOperation.put(Integer.parseInt(words[3]), words[4], words[5], null);
            case "role/5" -> paxos.impl.runtime.MemberOperation.put(Integer.parseInt(words[3]), null, words[4], null);
            case "replace/6" -> paxos.impl.runtime.MemberOperation.put(Integer.parseInt(words[4]), words[5], null, words[3]);
            case "remove/4" -> paxos.impl.runtime.MemberOperation.remove(Integer.parseInt(words[3]));
            default -> throw new IllegalArgumentException("usage: member <callId> add <id> <host:port> <role> | role <id> <role>"
                    + " | replace <oldId> <newId> <host:port> | remove <id>");
        };
        Thread t = new Thread(() -> {
            try {
                var outcomes = op.apply(node.node(), 60_000);
                StringBuilder ok = new StringBuilder();
                StringBuilder err = new StringBuilder();
                outcomes.forEach((g, o) -> {
                    if (o.failure() == null) ok.append(ok.length() == 0 ? "" : ",").append(o.membership().configVersion());
                    else err.append(err.length() == 0 ? "" : ",").append(g).append(':').append(o.failure().getClass().getSimpleName());
                });
                out.line(err.length() == 0 ? "ok " + call + " " + ok : "err " + call + " " + err);
            } catch (RuntimeException e) {
                out.line("err " + call + " " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                out.line("err " + call + " InterruptedException");
            }
        }, "member-change-" + call);
        t.setDaemon(true);
        t.start();
    }

    private void checkpoints() {
        List<TransferStatus> all = node.engine().transfers();
        StringBuilder b = new StringBuilder("checkpoints ").append(all.size());
        for (TransferStatus t : all) {
            b.append(' ').append(t.group()).append(':').append(t.direction()).append(':').append(t.peer()).append(':')
                    .append(t.phase()).append(':').append(t.bytes()).append(':').append(t.bytesTotal()).append(':')
                    .append(t.instance()).append(':').append(t.bytesPerSecond()).append(':')
                    .append(t.describeOutcome().replaceAll("\\s", "_"));
        }
        out.line(b.toString());
    }

    /** {@code peers N id:reachable:lastHeardMillisAgo:connected ...}: liveness from the last thing heard. */
    private void peers() {
        List<paxos.api.PeerInfo> all = node.node().peers();
        StringBuilder b = new StringBuilder("peers ").append(all.size());
        for (paxos.api.PeerInfo p : all)
            b.append(' ').append(p.nodeId()).append(':').append(p.reachable()).append(':').append(p.lastHeardMillisAgo())
                    .append(':').append(p.connected());
        out.line(b.toString());
    }

    private void status(String[] words) {
        int g = group(words, 2);
        ChecksumStateMachine.Snapshot s = snapshot(g);
        out.line("status " + g + " " + s.executedInstance() + " " + s.checksum() + " " + s.count());
    }

    /** {@code read}: the barrier of the consistency asked for, then the local snapshot (at or after the barrier). */
    private void read(String[] words) {
        if (words.length != 3) throw new IllegalArgumentException("usage: read <group> <stale|lease|linearizable>");
        int g = group(words, 3);
        paxos.api.ReadConsistency c = paxos.api.ReadConsistency.valueOf(words[2].toUpperCase(java.util.Locale.ROOT));
        long barrier;
        try {
            barrier = node.node().readBarrier(g, c).toCompletableFuture().get(READ_WAIT_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            out.line("error read " + g + " " + c + ": " + e.getCause().getClass().getSimpleName());
            return;
        } catch (java.util.concurrent.TimeoutException e) {
            out.line("error read " + g + " " + c + ": no barrier within " + READ_WAIT_MILLIS + " ms");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.line("error read interrupted");
            return;
        }
        ChecksumStateMachine.Snapshot s = snapshot(g);
        out.line("read " + g + " " + barrier + " " + s.executedInstance() + " " + s.checksum() + " " + s.count());
    }

    private void dump(String[] words) {
        if (words.length != 4) throw new IllegalArgumentException("usage: dump <group> <from> <max>");
        int g = group(words, 4);
        int from = Integer.parseInt(words[2]);
        int max = Math.min(Integer.parseInt(words[3]), 100_000);
        StateMachine m = machine(g);
        List<ChecksumStateMachine.Entry> entries = m instanceof FileChecksumStateMachine f ? f.entries(from, max)
                : ((ChecksumStateMachine) m).entries(from, max);
        boolean truncated = m instanceof FileChecksumStateMachine f ? f.truncated() : ((ChecksumStateMachine) m).truncated();
        StringBuilder b = new StringBuilder("dump ").append(g).append(' ').append(from).append(' ')
                .append(entries.size()).append(' ').append(truncated);
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

    private ChecksumStateMachine.Snapshot snapshot(int g) {
        return machine(g) instanceof FileChecksumStateMachine f ? f.snapshot() : ((ChecksumStateMachine) machine(g)).snapshot();
    }

    private StateMachine machine(int group) {
        return node.stateMachine(group, STATE_MACHINE_ID);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
