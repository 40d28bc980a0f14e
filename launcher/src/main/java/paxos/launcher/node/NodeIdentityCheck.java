package paxos.launcher.node;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The launcher's side of a node's identity, {@code dataDir/node.properties} (cluster ID, node ID,
 * incarnation; the format of {@code paxos.node.NodeIdentityFile}, which the launcher cannot load:
 * its class path holds no Paxos bundle). Run by {@link NodeHome#prepare} before the node's JVM
 * starts, so a refused directory is reported on the console with exit code 1. The start mode
 * comes from the node file key {@value NodeSettings#START_MODE_KEY} or the demo:
 * {@code member} (default) refuses a missing or empty directory, {@code bootstrap} (first start of
 * a brand-new cluster) creates it, {@code join} creates it with a fresh incarnation for a node that
 * waits until an operator adds it (or replaces another member by it). Keep the messages and the
 * format in step with {@code NodeIdentityFile} ({@code NodeHomeTest} and {@code NodeIdentityFileTest}
 * check the same phrases).
 */
public final class NodeIdentityCheck {
  /** The identity file in the data directory. */
  public static final String FILE = "node.properties";
  /** Where the transport records the incarnation it first saw per peer. */
  public static final String PEERS_FILE = "peer-incarnations.properties";

  private NodeIdentityCheck() {
  }

  /** Whether {@code dataDir} already has an identity (the demo's test for "cluster with history"). */
  public static boolean exists(Path dataDir) {
    return Files.exists(dataDir.resolve(FILE));
  }

  /**
   * Checks the identity of {@code dataDir} (creating it in bootstrap mode) and returns the incarnation.
   *
   * @throws IllegalStateException with the message for the operator
   */
  public static String incarnation(Path dataDir, String clusterId, int nodeId, String mode) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      switch (mode) {
        case "bootstrap", "join" -> { }
        case "member" -> throw new IllegalStateException("node " + nodeId + " refuses to start: its data directory "
            + dataDir + " has no identity (" + FILE + "): it is missing, empty or was wiped. A member of a cluster "
            + "with history must not start on a lost directory: it would vote having forgotten its promises. "
            + "Restore the directory; or give the machine a new node ID, start it with --join (node file: "
            + "startMode=join) and replace this member by it (PUT /paxos/members/NEWID?replace=" + nodeId
            + " with body host:port, Gogo paxos:replacemember); or remove node " + nodeId + " (DELETE /paxos/members/"
            + nodeId + "), then start it with --join and add it again. If this is the first start of a brand-new "
            + "cluster, use --bootstrap (startMode=bootstrap). See the README section 'Membership'.");
        default -> throw new IllegalArgumentException(NodeSettings.START_MODE_KEY + " must be member, bootstrap or join: "
            + mode);
      }
      Files.createDirectories(dataDir);
      return write(file, clusterId, nodeId, newIncarnation());
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    String c = p.getProperty("clusterId");
    String n = p.getProperty("nodeId");
    if (!clusterId.equals(c) || !Integer.toString(nodeId).equals(n)) {
      throw new IllegalStateException("node " + nodeId + " refuses to start: data directory " + dataDir
          + " belongs to cluster " + c + " node " + n + ", not to cluster " + clusterId + " node " + nodeId
          + " (copied from another node or cluster?)");
    }
    String incarnation = p.getProperty("incarnation");
    // a directory of an earlier version has history but no incarnation yet: it gets one now
    return incarnation != null ? incarnation : write(file, clusterId, nodeId, newIncarnation());
  }

  private static String newIncarnation() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  // temp file, fsync, atomic rename, fsync of the directory: a crash leaves no file or a whole one
  private static String write(Path file, String clusterId, int nodeId, String incarnation) throws IOException {
    Properties p = new Properties();
    p.setProperty("clusterId", clusterId);
    p.setProperty("nodeId", Integer.toString(nodeId));
    p.setProperty("incarnation", incarnation);
    StringWriter text = new StringWriter();
    p.store(text, "this node's identity, made when its data directory was created; never copy it to another node");
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(StandardCharsets.UTF_8.encode(text.toString()));
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // not every platform opens directories; the rename alone is still atomic
    }
    return incarnation;
  }
}
