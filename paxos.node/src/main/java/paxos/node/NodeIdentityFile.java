package paxos.node;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import paxos.transport.netty.Incarnations;

/**
 * The identity of a node's data directory, {@code dataDir/node.properties}: the cluster ID, the
 * node ID and the <b>incarnation</b>, a random ID made when the directory was created. Written
 * once, atomically (temp file, fsync, rename, fsync of the directory), so a crash leaves either no
 * file or a whole one; checked at every start. The incarnation travels in the transport handshake,
 * and peers refuse a node that comes back under another one ({@link Incarnations}): a node that
 * lost its disk must not vote with an empty log.
 *
 * <p>Called by {@link EmbeddedNode#start} before anything else touches the directory (the
 * launcher's {@code NodeIdentityCheck} does the same for a platform node). Static; no state.
 */
public record NodeIdentityFile(String clusterId, int nodeId, String incarnation) {
    private static final System.Logger LOG = System.getLogger(NodeIdentityFile.class.getName());
    /** The file's name; the same marker that earlier versions wrote without an incarnation. */
    public static final String FILE = "node.properties";

    /** How a start treats a data directory without an identity. */
    public enum StartMode {
        /** A member of a cluster with history: the directory must have its identity; a missing or empty one is refused. */
        MEMBER,
        /** The first start of a brand-new cluster: a missing identity is created with a fresh incarnation. */
        BOOTSTRAP,
        /**
         * Started to join a running cluster ({@code --join}): a missing identity is created with a fresh
         * incarnation, and the node waits, voting nowhere, until an operator adds it (or replaces
         * another node by it) through a membership change. An existing identity is opened as usual.
         */
        JOIN
    }

    /**
     * Reads and checks the identity of {@code dataDir}, creating it only under {@link StartMode#BOOTSTRAP}.
     * An identity written before incarnations existed gets one now.
     *
     * @throws IllegalStateException with a message for the operator: the directory belongs to another
     *     cluster or node, has no identity (missing or wiped) and the mode does not allow creating one,
     *     or the file is unreadable
     * @throws IOException if the directory cannot be read or written
     */
    public static NodeIdentityFile open(Path dataDir, String clusterId, int nodeId, StartMode mode) throws IOException {
        Path file = dataDir.resolve(FILE);
        Files.deleteIfExists(dataDir.resolve(FILE + ".tmp")); // a write cut short; the file itself is whole or absent
        if (!Files.exists(file)) return create(dataDir, clusterId, nodeId, mode);
        // (JOIN on an existing identity: the node was created to join earlier and restarts; nothing new)
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(unreadable(file, e.getMessage()), e);
        }
        String c = p.getProperty("clusterId");
        String n = p.getProperty("nodeId");
        if (c == null || n == null) throw new IllegalStateException(unreadable(file, "clusterId or nodeId missing"));
        if (!clusterId.equals(c) || !Integer.toString(nodeId).equals(n))
            throw new IllegalStateException("data directory " + dataDir + " belongs to cluster " + c + " node " + n
                    + ", not to cluster " + clusterId + " node " + nodeId + " (copied from another node or cluster?)");
        String incarnation = p.getProperty("incarnation");
        if (incarnation == null) {
            incarnation = Incarnations.newIncarnation();
            write(file, clusterId, nodeId, incarnation);
            LOG.log(Level.INFO, "node {0}: data directory {1} predates incarnations; it now has incarnation {2}",
                    nodeId, dataDir, incarnation);
        } else if (!incarnation.matches("[0-9a-f]{" + 2 * Incarnations.BYTES + "}")) {
            throw new IllegalStateException(unreadable(file, "bad incarnation '" + incarnation + "'"));
        }
        return new NodeIdentityFile(clusterId, nodeId, incarnation);
    }

    private static NodeIdentityFile create(Path dataDir, String clusterId, int nodeId, StartMode mode) throws IOException {
        boolean empty = !Files.isDirectory(dataDir) || isEmpty(dataDir);
        switch (mode) {
            case MEMBER -> throw new IllegalStateException(missing(dataDir, nodeId, empty));
            case BOOTSTRAP, JOIN -> { }
        }
        Files.createDirectories(dataDir);
        String incarnation = Incarnations.newIncarnation();
        write(dataDir.resolve(FILE), clusterId, nodeId, incarnation);
        LOG.log(Level.INFO, "node {0}: new data directory {1} of cluster {2}, incarnation {3}{4}", nodeId, dataDir,
                clusterId, incarnation, mode == StartMode.JOIN ? "; joining: it votes once an operator adds it" : "");
        return new NodeIdentityFile(clusterId, nodeId, incarnation);
    }

    /** Whether {@code dataDir} has an identity (a start in JOIN or BOOTSTRAP mode without one creates it). */
    public static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE));
    }

    /** The refusal of a member whose directory lost its identity; says what to do. */
    public static String missing(Path dataDir, int nodeId, boolean empty) {
        return "node " + nodeId + " refuses to start: its data directory " + dataDir
                + (empty ? " is missing or empty" : " has no " + FILE) + ". A member of a cluster with history must "
                + "not start on a lost directory: it would vote having forgotten its promises and could make the "
                + "cluster lose chosen values. Restore the directory from this machine's disk; or give the machine a "
                + "new node ID, start it with --join (node file: startMode=join) and replace this member by it "
                + "(PUT /paxos/members/NEWID?replace=" + nodeId + " with body host:port, Gogo paxos:replacemember); "
                + "or remove node " + nodeId + " (DELETE /paxos/members/" + nodeId + "), then start it with --join and "
                + "add it again. If this is the first start of a brand-new cluster, use --bootstrap "
                + "(startMode=bootstrap). See the README section 'Membership'.";
    }

    private static String unreadable(Path file, String why) {
        return "identity file " + file + " is unreadable (" + why + "); it is written atomically, so it was changed "
                + "by hand or the disk is damaged: restore it, or treat this node as lost (README 'Node identity')";
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var children = Files.list(dir)) {
            return children.findAny().isEmpty();
        }
    }

    private static void write(Path file, String clusterId, int nodeId, String incarnation) throws IOException {
        // Properties-escaped (a cluster ID may hold '=' or ':'), then written atomically
        Properties p = new Properties();
        p.setProperty("clusterId", clusterId);
        p.setProperty("nodeId", Integer.toString(nodeId));
        p.setProperty("incarnation", incarnation);
        var text = new java.io.StringWriter();
        p.store(text, "this node's identity, made when its data directory was created; never copy it to another node");
        Incarnations.writeAtomically(file, text.toString());
    }
}
