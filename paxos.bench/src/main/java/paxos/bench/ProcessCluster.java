package paxos.bench;

import java.io.IOException;
import java.util.Map;
import paxos.api.PaxosNode;
import paxos.node.EmbeddedNode;

/**
 * Node 1 in this JVM (clients propose through it, so the benchmark measures real round trips to
 * two other processes without a client protocol of its own), nodes 2 and 3 in child JVMs running
 * {@code paxos.node.tool.NodeProcess}.
 */
final class ProcessCluster extends BenchCluster {
    private final ChildNode[] children = new ChildNode[2];
    private EmbeddedNode local;

    ProcessCluster(BenchOptions o) throws IOException {
        try {
            // the children with a long election timeout (ChildNode.ELECTION_TICKS), node 1 with the
            // default: node 1 leads, as the node clients propose through does in-process (otherwise
            // every proposal takes one more hop). Children first: node 1 then finds them listening
            // (started first, it could be left in its transport's reconnect back-off meanwhile).
            for (int i = 0; i < 2; i++)
                children[i] = new ChildNode(i + 2, members, dir.resolve("node-" + (i + 2)), o.groups(), o.sync());
            local = startLocal(1, o);
            for (ChildNode c : children) c.awaitReady();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    String mode() {
        return "3-process";
    }

    @Override
    PaxosNode entry() {
        return local.node();
    }

    @Override
    Map<Integer, PaxosNode> localNodes() {
        return Map.of(1, local.node());
    }

    @Override
    long fsyncs() throws IOException {
        long sum = local.store().stats().fsyncs();
        for (ChildNode c : children) sum += c.fsyncs();
        return sum;
    }

    @Override
    long cpuNanos() {
        long sum = super.cpuNanos();
        for (ChildNode c : children) {
            long n = c.cpuNanos();
            if (sum < 0 || n < 0) return -1;
            sum += n;
        }
        return sum;
    }

    @Override
    public void close() throws IOException {
        for (ChildNode c : children) if (c != null) c.close();
        if (local != null) local.close();
        deleteDir();
    }
}
