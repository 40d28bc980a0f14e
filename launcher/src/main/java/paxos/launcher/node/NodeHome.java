package paxos.launcher.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lays out a node's home folder before its platform starts:
 * <pre>
 * nodeDir/
 *   node.args                     JVM options and framework properties (java @node.args)
 *   settings.properties           this node's settings saved from the console; never rewritten
 *   deploy/                       FileInstall watches it: bundles, .cfg and .config files
 *     paxos.node.cfg              PID paxos.node (the engine), rewritten from the settings at every start
 *     paxos.transport.netty.cfg   PID paxos.transport.netty (node ID, members, secret), likewise
 *     paxos.storage.leveldb.cfg   PID paxos.storage.leveldb (the log under dataDir/log), likewise
 *     org.apache.felix.fileinstall-shared.cfg   only with a shared deploy folder
 *   felix-cache/                  the framework's storage, cleaned at every start
 *   paxos/                        the node's data directory (dataDir): node.properties (its identity,
 *                                 see NodeIdentityCheck), peer-incarnations.properties, the engine's files, and
 *     statemachines/kv, .../config  the plugins' data (framework property paxos.data.dir = dataDir)
 * </pre>
 * Plugin data written by earlier versions, which did not set {@code paxos.data.dir}, sits in
 * {@code nodeDir/data/statemachines/}; {@link #prepare} moves each of its folders to the new
 * place unless something is already there (then both stay, and it says so).
 * The node file (or the demo's flags) and {@code nodeDir/settings.properties} ({@link LocalSettings},
 * laid over them; the "Paxos" console page saves there) are the source of truth: edits made to
 * these configurations through the console's Configuration page are overwritten at the next start.
 */
public final class NodeHome {

  /** The file name of the engine's configuration in the deploy folder. */
  public static final String ENGINE_CONFIG_FILE = NodeSettings.PID + ".cfg";

  /** The file name of the transport's configuration in the deploy folder. */
  public static final String TRANSPORT_CONFIG_FILE = NodeSettings.TRANSPORT_PID + ".cfg";

  /** The file name of the log store's configuration in the deploy folder. */
  public static final String STORE_CONFIG_FILE = NodeSettings.STORE_PID + ".cfg";

  private NodeHome() {
  }

  /** The folder FileInstall watches. */
  public static Path deployDir(NodeSettings settings) {
    return settings.nodeDir().resolve("deploy");
  }

  /** The argument file passed to the node's JVM as {@code @file}. */
  public static Path argsFile(NodeSettings settings) {
    return settings.nodeDir().resolve("node.args");
  }

  /** Creates the folders and (re)writes node.args and the deploy folder's .cfg files. */
  public static void prepare(NodeSettings launched) throws IOException {
    List<String> local = new ArrayList<>();
    NodeSettings settings = LocalSettings.apply(launched, local);
    local.forEach(line -> System.out.println("paxos node " + settings.nodeId() + ": " + line));
    // first, before anything creates the data directory: a lost one must be refused, not recreated
    boolean fresh = !NodeIdentityCheck.exists(settings.dataDir());
    String incarnation = NodeIdentityCheck.incarnation(settings.dataDir(), settings.clusterId(), settings.nodeId(),
        settings.startMode());
    Path deploy = deployDir(settings);
    Files.createDirectories(deploy);
    Map<String, String> store = new java.util.LinkedHashMap<>(settings.storeConfig());
    if (fresh && settings.startMode().equals("join")) {
      store.put("createDirectory", "true"); // the one start that made a joining node's identity makes its log
    }
    writeConfig(deploy.resolve(STORE_CONFIG_FILE), store);
    Map<String, String> transport = new java.util.LinkedHashMap<>(settings.transportConfig());
    transport.put("incarnation", incarnation);
    transport.put("incarnationsFile", settings.dataDir().resolve(NodeIdentityCheck.PEERS_FILE).toString());
    writeConfig(deploy.resolve(TRANSPORT_CONFIG_FILE), transport);
    migratePluginData(settings).forEach(line -> System.out.println("paxos node " + settings.nodeId() + ": " + line));
    writeConfig(deploy.resolve(ENGINE_CONFIG_FILE), settings.engineConfig());
    Path sharedConfig = deploy.resolve("org.apache.felix.fileinstall-shared.cfg");
    if (settings.sharedDeployDir() != null) {
      Files.createDirectories(settings.sharedDeployDir());
      // a second FileInstall watcher; it does not inherit the framework's felix.fileinstall.*
      // properties, so the ones that matter are repeated
      writeConfig(sharedConfig, Map.of(
          "felix.fileinstall.dir", settings.sharedDeployDir().toString(),
          "felix.fileinstall.start.level", "10",
          "felix.fileinstall.noInitialDelay", "true",
          "felix.fileinstall.poll", "1000",
          "felix.fileinstall.log.level", "2",
          "felix.fileinstall.enableConfigSave", "false"));
    } else {
      Files.deleteIfExists(sharedConfig);
    }
    writeArgs(settings);
  }

  /** Where plugins kept their data before the launcher set {@code paxos.data.dir}. */
  static Path oldPluginDataDir(NodeSettings settings) {
    return settings.nodeDir().resolve("data").resolve("statemachines");
  }

  /**
   * Moves {@code nodeDir/data/statemachines/<name>} to {@code dataDir/statemachines/<name>} for
   * every name not yet present at the new place. Runs before the node's JVM starts, so no plugin
   * has the folders open.
   *
   * @return one line per folder moved or left behind, for the operator
   */
  static List<String> migratePluginData(NodeSettings settings) throws IOException {
    Path old = oldPluginDataDir(settings);
    List<String> report = new ArrayList<>();
    if (!Files.isDirectory(old)) {
      return report;
    }
    Path target = settings.dataDir().resolve("statemachines");
    Files.createDirectories(target);
    try (java.util.stream.Stream<Path> children = Files.list(old)) {
      for (Path child : children.sorted().toList()) {
        Path to = target.resolve(child.getFileName().toString());
        if (Files.exists(to)) {
          report.add("left " + child + " in place: " + to + " exists (paxos.data.dir is " + settings.dataDir() + ")");
        } else {
          Files.move(child, to);
          report.add("moved plugin data " + child + " to " + to);
        }
      }
    }
    try (java.util.stream.Stream<Path> rest = Files.list(old)) {
      if (rest.findAny().isEmpty()) {
        Files.delete(old);
      }
    }
    return report;
  }

  private static void writeArgs(NodeSettings settings) throws IOException {
    List<String> args = new ArrayList<>(settings.javaOptions());
    property(args, "org.osgi.framework.storage", settings.nodeDir().resolve("felix-cache").toString());
    property(args, "felix.fileinstall.dir", deployDir(settings).toString());
    property(args, "org.apache.felix.http.host", settings.httpHost());
    property(args, "org.osgi.service.http.port", Integer.toString(settings.httpPort()));
    // plugins (KV, config, ...) keep their data under <paxos.data.dir>/statemachines/<name>
    property(args, "paxos.data.dir", settings.dataDir().toString());
    // where the console saves settings that must survive restarts (LocalSettings)
    property(args, LocalSettings.PROPERTY, LocalSettings.file(settings.nodeDir()).toString());
    property(args, "paxos.http.members",
        String.join(",", settings.httpMembers().stream().map(MemberAddress::toString).toList()));
    property(args, "felix.webconsole.username", settings.consoleUser());
    property(args, "felix.webconsole.password", Secrets.consolePasswordHash(settings.consolePassword()));
    StringBuilder text = new StringBuilder("# written by the paxos launcher at every start; edit the node file instead\n");
    for (String arg : args) {
      text.append(quote(arg)).append('\n');
    }
    Path file = argsFile(settings);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Secrets.restrictToOwner(file);
  }

  private static void property(List<String> args, String key, String value) {
    args.add("-D" + key + "=" + value);
  }

  // java's @argfile syntax: double quotes group, backslash escapes inside quotes
  private static String quote(String arg) {
    return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static void writeConfig(Path file, Map<String, String> config) throws IOException {
    StringBuilder text = new StringBuilder("# written by the paxos launcher at every start\n");
    new java.util.TreeMap<>(config).forEach((key, value) ->
        text.append(escape(key)).append(" = ").append(escape(value)).append('\n'));
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    // FileInstall ignores dot-files, and the move makes it see the complete file at once
    Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  // java.util.Properties escaping, which FileInstall's .cfg reader follows
  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '\\', ':', '=', '#', '!' -> out.append('\\').append(c);
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
