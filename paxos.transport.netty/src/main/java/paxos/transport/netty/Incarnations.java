package paxos.transport.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * This node's incarnation and the incarnation it first saw from each peer, kept in a small file of
 * its data directory ({@code peer.<nodeId>=<32 hex digits>}). An incarnation is the random ID a
 * node's data directory got when it was created; a peer that comes back under another one lost its
 * data (promises and accepted values included), so it must not vote: the transport refuses its
 * connections (one rate-limited WARNING per peer) until an operator forgets the recorded
 * incarnation of that node ({@link #open}'s {@code forget}, or by deleting its line while the node
 * is stopped). A peer seen for the first time is recorded and admitted: a brand-new cluster
 * learns its members that way.
 *
 * <p>Thread-safe; {@link #admit} is called on Netty event loops once per authenticated
 * connection and writes the file (atomically: temp file, fsync, rename, fsync of the directory)
 * only when it records a new peer.
 */
public final class Incarnations {
    private static final System.Logger LOG = System.getLogger(Incarnations.class.getName());
    /** The file's name in a node's data directory. */
    public static final String FILE = "peer-incarnations.properties";
    /** Bytes of an incarnation. */
    public static final int BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] own;
    private final Path file;
    private final Map<Integer, String> known = new TreeMap<>();

    private Incarnations(byte[] own, Path file) {
        this.own = own;
        this.file = file;
    }

    /** No incarnation of its own (all zero) and every peer admitted: tests and tools without a data directory. */
    public static Incarnations none() {
        return new Incarnations(new byte[BYTES], null);
    }

    /**
     * Reads {@code file} (absent: nobody seen yet), drops the entries of {@code forget} (the
     * operator's override after replacing a machine; logged) and writes it back if that changed it.
     *
     * @param ownHex this node's incarnation, 32 hex digits
     * @throws IOException if the file cannot be read or written
     * @throws IllegalArgumentException if {@code ownHex} or a line of the file is not an incarnation
     */
    public static Incarnations open(String ownHex, Path file, Set<Integer> forget) throws IOException {
        Incarnations i = new Incarnations(parse(ownHex), file);
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            for (String key : p.stringPropertyNames()) {
                if (!key.startsWith("peer.")) continue;
                String value = p.getProperty(key);
                parse(value);
                i.known.put(Integer.parseInt(key.substring(5)), value);
            }
        }
        boolean changed = false;
        for (int node : forget) {
            String old = i.known.remove(node);
            if (old != null) {
                changed = true;
                LOG.log(Level.WARNING, "forgot incarnation {0} of node {1} as configured: its next incarnation will"
                        + " be admitted (remove the setting once it is back)", old, node);
            }
        }
        if (changed) i.save();
        return i;
    }

    /** This node's incarnation, {@link #BYTES} bytes (a copy). */
    public byte[] own() {
        return own.clone();
    }

    /** The incarnation recorded for {@code node}, in hex, or null if none yet. */
    public synchronized String known(int node) {
        return known.get(node);
    }

    /**
     * Whether {@code node}, authenticated with {@code incarnation}, may talk to this node: yes if it is
     * the recorded one, or if none is recorded yet (then it is recorded; an all-zero incarnation, of a
     * node without a data directory, is admitted but never recorded).
     *
     * @throws UncheckedIOException if recording fails (the connection is then refused)
     */
    public synchronized boolean admit(int node, byte[] incarnation) {
        if (file == null) return true;
        String hex = HEX.formatHex(incarnation);
        String recorded = known.get(node);
        if (recorded != null) return recorded.equals(hex);
        if (java.util.Arrays.equals(incarnation, new byte[BYTES])) return true;
        known.put(node, hex);
        try {
            save();
        } catch (IOException e) {
            known.remove(node);
            throw new UncheckedIOException("cannot record the incarnation of node " + node + " in " + file, e);
        }
        LOG.log(Level.INFO, "node {0} has incarnation {1}; recorded in {2}", node, hex, file);
        return true;
    }

    /** A fresh random incarnation in hex (for a new data directory). */
    public static String newIncarnation() {
        byte[] b = new byte[BYTES];
        new java.security.SecureRandom().nextBytes(b);
        return HEX.formatHex(b);
    }

    private static byte[] parse(String hex) {
        if (hex == null || hex.length() != 2 * BYTES)
            throw new IllegalArgumentException("not an incarnation (" + 2 * BYTES + " hex digits): " + hex);
        return HEX.parseHex(hex);
    }

    private void save() throws IOException {
        StringBuilder text = new StringBuilder("# incarnation of each peer as first seen; see Incarnations\n");
        known.forEach((node, hex) -> text.append("peer.").append(node).append('=').append(hex).append('\n'));
        writeAtomically(file, text.toString());
    }

    /**
     * Replaces {@code target} with {@code text} so that a crash leaves the old or the new content,
     * never a torn file: writes a temp file, fsyncs it, renames it over the target and fsyncs the
     * directory (where the file system allows opening one).
     */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some platforms cannot open a directory; the rename is still atomic there
        }
    }
}
