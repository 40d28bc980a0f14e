package paxos.launcher.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything needed to start one node: the Paxos settings handed as ConfigAdmin configurations
 * to the engine ({@code paxos.node}, {@link #engineConfig()}), the transport
 * ({@code paxos.transport.netty}, {@link #transportConfig()}) and the log store
 * ({@code paxos.storage.leveldb}, {@link #storeConfig()}), and the platform settings the launcher
 * applies itself (directories, HTTP, console login, JVM options). One node file feeds all three:
 * each key goes to the component it belongs to ({@link #TRANSPORT_KEYS}, {@link #STORE_KEYS},
 * everything else to the engine).
 * Immutable and validated on construction; paths are absolute.
 *
 * @param nodeId this node's id, one of {@code members}
 * @param members every node of the cluster, this one included
 * @param listenHost the address the engine listens on for Paxos traffic
 * @param port the Paxos port, 1..65535
 * @param nodeDir the node's home: {@code deploy/}, {@code felix-cache/}, {@code node.args}
 * @param dataDir the engine's data directory (PID key {@code dataDir})
 * @param httpHost the address of the web console and REST endpoints
 * @param httpPort the HTTP port, 1..65535
 * @param consoleUser the web console user name
 * @param consolePassword the web console password (passed to the node only hashed)
 * @param javaOptions options for the node's JVM, e.g. {@code -Xmx512m}
 * @param sharedDeployDir a second folder FileInstall watches (e.g. one shared by all local
 *     nodes), or null
 * @param engineExtras further keys of the node file, e.g. groupCount, clusterSecret,
 *     holdLogCount, syncPolicy: passed unchanged to the PID they belong to
 * @param httpMembers every node's HTTP address (node file key {@code http.members}), handed to
 *     the platform as {@code paxos.http.members} so that a node can forward a LEASE read to the
 *     master; may omit nodes (a read for an unlisted master is answered 421)
 */
public record NodeSettings(
    int nodeId,
    List<MemberAddress> members,
    String listenHost,
    int port,
    Path nodeDir,
    Path dataDir,
    String httpHost,
    int httpPort,
    String consoleUser,
    String consolePassword,
    List<String> javaOptions,
    Path sharedDeployDir,
    Map<String, String> engineExtras,
    List<MemberAddress> httpMembers) {

  /** The ConfigAdmin PID the engine's node component is configured by. */
  public static final String PID = "paxos.node";

  /** The ConfigAdmin PID of the Netty transport component (it holds node ID, members, cluster). */
  public static final String TRANSPORT_PID = "paxos.transport.netty";

  /** The ConfigAdmin PID of the LevelDB log store component. */
  public static final String STORE_PID = "paxos.storage.leveldb";

  /**
   * Node file keys that configure the transport; a key mapped to one with a leading dot becomes a
   * private property (never shown among the service's properties).
   */
  public static final Map<String, String> TRANSPORT_KEYS = Map.ofEntries(
      Map.entry("clusterId", "clusterId"), Map.entry("clusterSecret", ".clusterSecret"),
      Map.entry("tlsKeyStore", "tlsKeyStore"), Map.entry("tlsKeyStorePassword", ".tlsKeyStorePassword"),
      Map.entry("tlsTrustStore", "tlsTrustStore"), Map.entry("tlsTrustStorePassword", ".tlsTrustStorePassword"),
      Map.entry("maxFrameBytes", "maxFrameBytes"), Map.entry("outboundQueueMessagesMax", "outboundQueueMessagesMax"),
      Map.entry("outboundQueueBytesMax", "outboundQueueBytesMax"),
      Map.entry("handshakeTimeoutMillis", "handshakeTimeoutMillis"),
      Map.entry("forgetIncarnations", "forgetIncarnations"));

  /**
   * The node file key (also set by {@code ./paxos node --bootstrap|--join} and by the demo) saying how
   * a data directory without an identity is treated: {@code member} (default: refused),
   * {@code bootstrap} (created: first start of a brand-new cluster only), {@code join} (created with a
   * fresh incarnation; the engine starts joining: no vote until an operator adds the node). Consumed by
   * the launcher ({@link NodeIdentityCheck}); the engine sees only {@code joining=true} ({@link #engineConfig()}).
   */
  public static final String START_MODE_KEY = "startMode";

  /** Node file keys that configure the log store (its {@code batchBytesMax} is not one: that key is the engine's). */
  public static final List<String> STORE_KEYS = List.of("syncPolicy", "segmentBytes", "writeQueueRecordsMax",
      "writeQueueBytesMax", "indexCacheBytes", "cleanerIntervalMillis");

  /** JVM options when none are given: a bound on the heap of every node. */
  public static final String DEFAULT_JAVA_OPTIONS = "-Xmx512m -XX:+ExitOnOutOfMemoryError";

  /** Keys of a node file that the launcher consumes; every other key goes to PID paxos.node. */
  public static final List<String> PLATFORM_KEYS = List.of("dir", "http.host", "http.port",
      "console.username", "console.password", "java.options", "deploy.shared", "http.members");

  /** Without other nodes' HTTP addresses: only this node's own is known. */
  public NodeSettings(int nodeId, List<MemberAddress> members, String listenHost, int port, Path nodeDir,
      Path dataDir, String httpHost, int httpPort, String consoleUser, String consolePassword,
      List<String> javaOptions, Path sharedDeployDir, Map<String, String> engineExtras) {
    this(nodeId, members, listenHost, port, nodeDir, dataDir, httpHost, httpPort, consoleUser, consolePassword,
        javaOptions, sharedDeployDir, engineExtras, selfOnly(nodeId, httpHost, httpPort));
  }

  // the port is checked first, so that a bad one is reported as http.port
  private static List<MemberAddress> selfOnly(int nodeId, String httpHost, int httpPort) {
    checkPort("http.port", httpPort);
    return List.of(new MemberAddress(nodeId, httpHost, httpPort));
  }

  /** Rejects nonsense with a message naming the setting. */
  public NodeSettings {
    members = List.copyOf(members);
    javaOptions = List.copyOf(javaOptions);
    engineExtras = Map.copyOf(engineExtras);
    httpMembers = List.copyOf(httpMembers);
    int id = nodeId;
    if (members.stream().noneMatch(m -> m.nodeId() == id)) {
      throw new IllegalArgumentException("nodeId " + nodeId + " is not one of members " + members);
    }
    requireText("listenHost", listenHost);
    checkPort("port", port);
    requireText("http.host", httpHost);
    checkPort("http.port", httpPort);
    requireText("console.username", consoleUser);
    requireText("console.password", consolePassword);
    if (!nodeDir.isAbsolute() || !dataDir.isAbsolute()
        || (sharedDeployDir != null && !sharedDeployDir.isAbsolute())) {
      throw new IllegalArgumentException("directories must be absolute");
    }
    for (String key : engineExtras.keySet()) {
      if (PLATFORM_KEYS.contains(key) || List.of("nodeId", "members", "listenHost", "port", "dataDir").contains(key)) {
        throw new IllegalArgumentException("engine extra '" + key + "' clashes with a named setting");
      }
    }
  }

  /**
   * Reads a node file (format in the README, section "Platform (launcher)"). Relative paths are
   * resolved against {@code baseDir}. Absent optional keys get defaults: listenHost and port from
   * this node's members entry, {@code dir=data/node-<nodeId>}, {@code dataDir=<dir>/paxos},
   * {@code http.host=127.0.0.1}, {@code http.port=8080}, {@code console.username=admin},
   * {@code java.options=-Xmx512m -XX:+ExitOnOutOfMemoryError}. Without {@code console.password}, {@code passwordForNodeDir}
   * is asked for one (given the node's home folder).
   *
   * @throws IllegalArgumentException naming the bad or missing key
   */
  public static NodeSettings fromProperties(Properties file, Path baseDir,
      java.util.function.Function<Path, String> passwordForNodeDir) {
    Map<String, String> rest = new LinkedHashMap<>();
    for (String key : file.stringPropertyNames()) {
      rest.put(key, file.getProperty(key).trim());
    }
    int nodeId = parseInt("nodeId", required(rest, "nodeId"));
    List<MemberAddress> members = MemberAddress.parseList(required(rest, "members"));
    MemberAddress self = members.stream().filter(m -> m.nodeId() == nodeId).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("nodeId " + nodeId + " is not one of members " + members));
    String listenHost = rest.containsKey("listenHost") ? rest.remove("listenHost") : self.host();
    int port = rest.containsKey("port") ? parseInt("port", rest.remove("port")) : self.port();
    Path nodeDir = baseDir.resolve(rest.getOrDefault("dir", "data/node-" + nodeId)).toAbsolutePath().normalize();
    rest.remove("dir");
    Path dataDir = rest.containsKey("dataDir")
        ? baseDir.resolve(rest.remove("dataDir")).toAbsolutePath().normalize() : nodeDir.resolve("paxos");
    String httpHost = orDefault(rest, "http.host", "127.0.0.1");
    int httpPort = parseInt("http.port", orDefault(rest, "http.port", "8080"));
    String user = orDefault(rest, "console.username", "admin");
    String password = rest.containsKey("console.password")
        ? rest.remove("console.password") : passwordForNodeDir.apply(nodeDir);
    List<String> javaOptions = splitOptions(orDefault(rest, "java.options", DEFAULT_JAVA_OPTIONS));
    String shared = rest.remove("deploy.shared");
    Path sharedDeploy = shared == null || shared.isEmpty() ? null : baseDir.resolve(shared).toAbsolutePath().normalize();
    String httpMembersText = rest.remove("http.members");
    List<MemberAddress> httpMembers = httpMembersText == null || httpMembersText.isEmpty()
        ? selfOnly(nodeId, httpHost, httpPort) : MemberAddress.parseList(httpMembersText);
    return new NodeSettings(nodeId, members, listenHost, port, nodeDir, dataDir, httpHost, httpPort,
        user, password, javaOptions, sharedDeploy, rest, httpMembers);
  }

  /**
   * The configuration of PID {@code paxos.node}: dataDir and the extras that are neither the
   * transport's nor the store's, all as strings (a FileInstall {@code .cfg} has string values
   * only; DS converts them to the component's property types).
   */
  public Map<String, String> engineConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("dataDir", dataDir.toString());
    new java.util.TreeMap<>(engineExtras).forEach((key, value) -> {
      if (!TRANSPORT_KEYS.containsKey(key) && !STORE_KEYS.contains(key) && !key.equals(START_MODE_KEY)) {
        config.put(key, value);
      }
    });
    if (startMode().equals("join")) {
      config.put("joining", "true");
    }
    return config;
  }

  /**
   * The configuration of PID {@code paxos.transport.netty}: nodeId, members, listenHost and the
   * transport's extras. A {@code batchBytesMax} above the default raises the frame cap as the
   * embedded node does (twice a batch plus 64 KiB, at most 64 MiB), unless maxFrameBytes is set.
   */
  public Map<String, String> transportConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("nodeId", Integer.toString(nodeId));
    config.put("members", String.join(",", members.stream().map(MemberAddress::toString).toList()));
    config.put("listenHost", listenHost);
    Long batch = batchBytesMax();
    if (batch != null) {
      config.put("maxFrameBytes", Long.toString(Math.min(64L << 20, Math.max(16L << 20, 2 * batch + (64 << 10)))));
    }
    new java.util.TreeMap<>(engineExtras).forEach((key, value) -> {
      if (TRANSPORT_KEYS.containsKey(key)) {
        config.put(TRANSPORT_KEYS.get(key), value);
      }
    });
    return config;
  }

  /**
   * The configuration of PID {@code paxos.storage.leveldb}: the log under {@code dataDir/log}
   * (created at the first start) and the store's extras. A {@code batchBytesMax} above the
   * default raises the record limit to a batch plus 4 KiB, unless set.
   */
  public Map<String, String> storeConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("dataDirectory", dataDir.resolve("log").toString());
    // only a new identity comes with a new log; a member whose log vanished must not start empty
    // (join: NodeHome.prepare sets it only at the start that creates the identity)
    config.put("createDirectory", Boolean.toString(startMode().equals("bootstrap")));
    Long batch = batchBytesMax();
    if (batch != null) {
      long valueMax = Math.max(8L << 20, batch + 4096);
      config.put("maxValueBytes", Long.toString(valueMax));
      config.put("writeQueueBytesMax", Long.toString(Math.max(64L << 20, 4 * valueMax)));
    }
    new java.util.TreeMap<>(engineExtras).forEach((key, value) -> {
      if (STORE_KEYS.contains(key)) {
        config.put(key, value);
      }
    });
    return config;
  }

  /** {@value #START_MODE_KEY}: member (default), bootstrap or join. */
  public String startMode() {
    return engineExtras.getOrDefault(START_MODE_KEY, "member");
  }

  /** The cluster ID (node file key {@code clusterId}, default {@code paxos} as the transport's). */
  public String clusterId() {
    return engineExtras.getOrDefault("clusterId", "paxos");
  }

  private Long batchBytesMax() {
    String text = engineExtras.get("batchBytesMax");
    return text == null ? null : (long) parseInt("batchBytesMax", text);
  }

  /** The console URL of this node, e.g. {@code http://127.0.0.1:8081/system/console}. */
  public String consoleUrl() {
    return "http://" + httpHost + ":" + httpPort + "/system/console";
  }

  static void checkPort(String name, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
    }
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is empty");
    }
  }

  private static String required(Map<String, String> settings, String key) {
    String value = settings.remove(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(key + " is missing");
    }
    return value;
  }

  private static String orDefault(Map<String, String> settings, String key, String fallback) {
    String value = settings.remove(key);
    return value == null || value.isEmpty() ? fallback : value;
  }

  private static int parseInt(String name, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
    }
  }

  private static List<String> splitOptions(String text) {
    return new ArrayList<>(Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
  }
}
