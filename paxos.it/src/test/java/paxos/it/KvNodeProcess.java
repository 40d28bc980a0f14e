package paxos.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import paxos.api.MasterInfo;
import paxos.api.NotMasterException;
import paxos.api.OverloadedException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.ReadConsistency;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.node.EmbeddedNode;
import paxos.node.tool.ProcessOptions;
import paxos.plugins.election.ElectionSettings;
import paxos.plugins.election.MasterElector;

/**
 * A node process for {@link MasterFailoverLinearizabilityIT}: an {@link EmbeddedNode} (flags of
 * {@link ProcessOptions}), a {@link MasterElector} with {@link ElectionSettings#DEFAULTS}, and a
 * register map per group (state machine ID {@value #REGISTERS_ID}). Started by {@link NodeHandle}
 * on the class path; prints {@code ready}, then serves one command per stdin line:
 *
 * <pre>
 *   write &lt;id&gt; &lt;key&gt; &lt;value&gt;          -&gt; ok &lt;id&gt;  |  err &lt;id&gt; &lt;ExceptionSimpleName&gt;
 *   read &lt;id&gt; &lt;key&gt; &lt;LEASE|LINEARIZABLE|STALE&gt; -&gt; ok &lt;id&gt; &lt;value or -&gt;  |  err &lt;id&gt; &lt;ExceptionSimpleName&gt;
 *   master &lt;group&gt;                     -&gt; master &lt;group&gt; &lt;nodeId&gt; &lt;version&gt; &lt;isMaster&gt;
 *   quit (or end of input)             -&gt; bye
 * </pre>
 *
 * <p>Group 0 only for {@code write}/{@code read}. A write is conditional on the master version
 * this node's elector sees, and refused with {@code NotMasterException} (before proposing: no
 * effect) unless the elector says this node is master: LEASE reads see only the master's own
 * writes (README, "Master election and reads"). {@code write} and {@code read} answer
 * asynchronously in completion order (at most {@value #IN_FLIGHT_MAX} in flight, then
 * {@code OverloadedException}). Keys and values are tokens without whitespace or {@code '='}.
 */
final class KvNodeProcess {
    static final int REGISTERS_ID = 2;
    private static final int IN_FLIGHT_MAX = 1_000;

    private final PaxosNode node;
    private final MasterElector elector;
    private final Registers registers;
    private final PrintStream out;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);

    private KvNodeProcess(PaxosNode node, MasterElector elector, Registers registers, PrintStream out) {
        this.node = node;
        this.elector = elector;
        this.registers = registers;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        ProcessOptions options = ProcessOptions.parse(args);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        EmbeddedNode embedded = EmbeddedNode.start(options.config(), Map.of(REGISTERS_ID, (group, dir) -> new Registers()));
        MasterElector elector = new MasterElector(embedded.node(), ElectionSettings.DEFAULTS).start();
        KvNodeProcess p = new KvNodeProcess(embedded.node(), elector,
                (Registers) embedded.stateMachine(0, REGISTERS_ID), out);
        p.line("ready");
        p.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        elector.close();
        embedded.close();
        p.line("bye");
        System.exit(0);
    }

    private void serve(BufferedReader in) throws Exception {
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            try {
                switch (w[0]) {
                    case "write" -> write(w);
                    case "read" -> read(w);
                    case "master" -> {
                        int g = Integer.parseInt(w[1]);
                        MasterInfo m = elector.master(g);
                        line("master " + g + " " + m.nodeId() + " " + elector.version(g) + " " + elector.isMaster(g));
                    }
                    case "quit" -> {
                        return;
                    }
                    case "" -> { }
                    default -> line("error unknown command '" + w[0] + "'");
                }
            } catch (RuntimeException e) {
                line("error " + e);
            }
        }
    }

    private void write(String[] w) {
        if (w.length != 4) throw new IllegalArgumentException("usage: write <id> <key> <value>");
        // version first, then the lease: a version read before our lease was checked valid is either
        // ours or older (then the write is refused with MasterChangedException), never a successor's
        long version = elector.version(0);
        if (!elector.isMaster(0)) {
            line("err " + w[1] + " " + NotMasterException.class.getSimpleName());
            return;
        }
        if (!inFlight.tryAcquire()) {
            line("err " + w[1] + " " + OverloadedException.class.getSimpleName());
            return;
        }
        byte[] command = (w[2] + "=" + w[3]).getBytes(StandardCharsets.UTF_8);
        node.propose(Proposal.of(0, REGISTERS_ID, command).conditionalOnMaster(version))
                .whenComplete((p, e) -> {
                    inFlight.release();
                    line(e == null ? "ok " + w[1] : "err " + w[1] + " " + unwrap(e).getClass().getSimpleName());
                });
    }

    private void read(String[] w) {
        if (w.length != 4) throw new IllegalArgumentException("usage: read <id> <key> <consistency>");
        ReadConsistency consistency = ReadConsistency.valueOf(w[3]);
        if (!inFlight.tryAcquire()) {
            line("err " + w[1] + " " + OverloadedException.class.getSimpleName());
            return;
        }
        node.readBarrier(0, consistency).whenComplete((executed, e) -> {
            inFlight.release();
            if (e != null) {
                line("err " + w[1] + " " + unwrap(e).getClass().getSimpleName());
                return;
            }
            // read after the barrier: the map may be newer than `executed`, never older
            String v = registers.get(w[2]);
            line("ok " + w[1] + " " + (v == null ? "-" : v));
        });
    }

    private synchronized void line(String s) {
        out.println(s);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** {@code key=value} commands; in memory, replayed from the log at every start. Thread-safe. */
    static final class Registers implements StateMachine {
        private final Map<String, String> values = new ConcurrentHashMap<>();

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            for (Command c : batch.commands()) {
                String s = new String(c.value(), StandardCharsets.UTF_8);
                int eq = s.indexOf('=');
                if (eq > 0) values.put(s.substring(0, eq), s.substring(eq + 1));
                results.complete(c.index(), null);
            }
        }

        String get(String key) {
            return values.get(key);
        }
    }
}
