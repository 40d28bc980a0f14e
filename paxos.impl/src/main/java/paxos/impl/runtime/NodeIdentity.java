package paxos.impl.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The marker {@code dataDir/node.properties} naming the cluster and node a data directory belongs
 * to, written at the first start and checked at every later one: a directory copied from another
 * node or cluster is refused with a message naming both, instead of joining with foreign state.
 * Called by whoever builds an {@link Engine} on a data directory (the embedded node, the OSGi
 * component) before the engine opens anything there.
 */
public final class NodeIdentity {
    /** The marker file's name. */
    public static final String FILE = "node.properties";

    private NodeIdentity() {}

    /**
     * Checks the marker, writing it (without an incarnation) if it is missing.
     *
     * @return the directory's incarnation as its marker records it (the launcher and the embedded
     *     node write one), or {@code null} if it records none
     * @throws IllegalStateException if the directory belongs to another cluster or node
     */
    public static String check(Path dataDir, String clusterId, int nodeId) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            Properties p = new Properties();
            p.setProperty("clusterId", clusterId);
            p.setProperty("nodeId", Integer.toString(nodeId));
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "written at this node's first start; do not copy this directory to another node");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        String c = p.getProperty("clusterId");
        String n = p.getProperty("nodeId");
        if (!clusterId.equals(c) || !Integer.toString(nodeId).equals(n))
            throw new IllegalStateException("data directory " + dataDir + " belongs to cluster " + c + " node " + n
                    + ", not to cluster " + clusterId + " node " + nodeId + " (copied from another node or cluster?)");
        String incarnation = p.getProperty("incarnation");
        return incarnation == null || incarnation.isBlank() ? null : incarnation.trim();
    }
}
