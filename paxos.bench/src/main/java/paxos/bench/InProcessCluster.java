package paxos.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.PaxosNode;
import paxos.node.EmbeddedNode;

/** Three {@link EmbeddedNode}s in this JVM, talking over Netty on 127.0.0.1. */
final class InProcessCluster extends BenchCluster {
    private final List<EmbeddedNode> nodes = new ArrayList<>();
    private PaxosNode entry;

    InProcessCluster(BenchOptions o) throws IOException {
        try {
            for (int id = 1; id <= 3; id++) nodes.add(startLocal(id, o));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        entry = nodes.get(0).node();
    }

    /** Clients go through the node leading group 0 once one leads (leader-local writes). */
    void chooseEntry(int leaderId) {
        for (EmbeddedNode n : nodes) if (n.node().nodeId() == leaderId) entry = n.node();
    }

    @Override
    String mode() {
        return "in-process";
    }

    @Override
    PaxosNode entry() {
        return entry;
    }

    @Override
    Map<Integer, PaxosNode> localNodes() {
        Map<Integer, PaxosNode> m = new TreeMap<>();
        for (EmbeddedNode n : nodes) m.put(n.node().nodeId(), n.node());
        return m;
    }

    @Override
    long fsyncs() {
        return nodes.stream().mapToLong(n -> n.store().stats().fsyncs()).sum();
    }

    @Override
    public void close() throws IOException {
        for (EmbeddedNode n : nodes) n.close();
        deleteDir();
    }
}
