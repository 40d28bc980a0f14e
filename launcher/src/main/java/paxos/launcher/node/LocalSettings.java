package paxos.launcher.node;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A node's own settings that survive restarts: {@code nodeDir/settings.properties}, keys of the
 * node file's engine, transport and store settings (e.g. {@code holdLogCount}). The launcher
 * rewrites {@code deploy/*.cfg} at every start and never writes this file; the "Paxos" console
 * page saves to it (framework property {@value #PROPERTY} names it). At start its values are
 * laid over the node file's or the demo's, and the launcher says which.
 */
public final class LocalSettings {
  /** The file name in the node's home. */
  public static final String FILE = "settings.properties";
  /** The framework property that tells the node where its local settings file is. */
  public static final String PROPERTY = "paxos.settings.file";
  /** Keys the file may not set: identity and layout belong to the node file or the demo. */
  static final List<String> REFUSED = List.of("nodeId", "members", "listenHost", "port", "dataDir", "clusterId", "clusterSecret");

  private LocalSettings() {
  }

  /** The local settings file of a node home. */
  public static Path file(Path nodeDir) {
    return nodeDir.resolve(FILE);
  }

  /**
   * {@code settings} with the local file's values laid over its extras; {@code report} gets one
   * line per value applied or refused. No file: {@code settings} unchanged.
   */
  public static NodeSettings apply(NodeSettings settings, List<String> report) throws IOException {
    Path file = file(settings.nodeDir());
    if (!Files.isRegularFile(file)) {
      return settings;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    Map<String, String> extras = new LinkedHashMap<>(settings.engineExtras());
    List<String> keys = new ArrayList<>(p.stringPropertyNames());
    java.util.Collections.sort(keys);
    for (String key : keys) {
      String value = p.getProperty(key).trim();
      if (REFUSED.contains(key) || NodeSettings.PLATFORM_KEYS.contains(key)) {
        report.add("ignored " + key + " in " + file + ": set it in the node file (or the demo's flags)");
        continue;
      }
      String was = extras.put(key, value);
      if (!value.equals(was)) {
        report.add(key + " = " + value + " from " + file + (was == null ? "" : " (instead of " + was + ")"));
      }
    }
    return new NodeSettings(settings.nodeId(), settings.members(), settings.listenHost(), settings.port(),
        settings.nodeDir(), settings.dataDir(), settings.httpHost(), settings.httpPort(), settings.consoleUser(),
        settings.consolePassword(), settings.javaOptions(), settings.sharedDeployDir(), extras, settings.httpMembers());
  }
}
