package paxos.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import paxos.api.spi.log.SyncPolicy;

/**
 * A node in a child JVM: {@code paxos.node.tool.NodeProcess} on this JVM's class path, spoken to
 * over its line protocol (only synchronous commands: the benchmark never proposes through it).
 * Its stderr (log lines) is inherited. Not thread-safe: one caller at a time.
 */
final class ChildNode implements AutoCloseable {
    /**
     * The children's election timeout, in ticks (10 ms): 30 to 60 s, so that node 1, in the
     * benchmark's JVM with the default, runs the first election and leads every group even on a
     * machine so loaded that connecting the three nodes takes several seconds (a child with a
     * 5 s timeout still won one start in three there). Failover is not benchmarked.
     */
    static final int ELECTION_TICKS = 3000;
    private final int nodeId;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    ChildNode(int nodeId, String members, Path dataDir, int groups, SyncPolicy sync) throws IOException {
        this.nodeId = nodeId;
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "paxos.node.tool.NodeProcess",
                "--node-id", String.valueOf(nodeId), "--members", members, "--data-dir", dataDir.toString(),
                "--secret", BenchCluster.SECRET, "--groups", String.valueOf(groups), "--sync", sync.name(),
                "--entries-max", "0", "--election-ticks", String.valueOf(ELECTION_TICKS));
        this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Waits for the child's {@code ready} line. */
    void awaitReady() throws IOException {
        String line = out.readLine();
        if (!"ready".equals(line)) throw new IOException("node " + nodeId + " did not start (first line: " + line + ")");
    }

    /** CPU time the child JVM used so far, in nanoseconds; {@code -1} if the platform does not tell. */
    long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** The child's log store fsync count. */
    long fsyncs() throws IOException {
        return Long.parseLong(request("stats")[1]);
    }

    private String[] request(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("error ")) throw new IOException("node " + nodeId + ": " + line);
            if (line.startsWith(command + " ")) return line.split(" ");
        }
        throw new IOException("node " + nodeId + " exited");
    }

    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.flush();
            if (process.waitFor(20, TimeUnit.SECONDS)) return;
        } catch (IOException e) {
            // already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
