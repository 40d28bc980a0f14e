package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import paxos.launcher.node.NodeSettings;
import paxos.launcher.node.Secrets;

/** The node file: defaults, the paxos.node configuration it yields, and clear errors. */
class NodeSettingsTest {

  private static final Path BASE = Path.of("/srv/paxos");

  @Test
  void minimalFileGetsDefaultsFromItsMembersEntry() throws IOException {
    NodeSettings settings = parse("nodeId=2\nmembers=1@10.0.0.1:7001,2@10.0.0.2:7002\n");

    assertEquals(Map.of("dataDir", "/srv/paxos/data/node-2/paxos"), settings.engineConfig());
    assertEquals(Map.of("nodeId", "2", "members", "1@10.0.0.1:7001,2@10.0.0.2:7002", "listenHost", "10.0.0.2"),
        settings.transportConfig());
    assertEquals(Map.of("dataDirectory", "/srv/paxos/data/node-2/paxos/log", "createDirectory", "false"),
        settings.storeConfig(), "a member's log is never created: only bootstrap makes a new one");
    assertEquals(Path.of("/srv/paxos/data/node-2"), settings.nodeDir());
    assertEquals("http://127.0.0.1:8080/system/console", settings.consoleUrl());
    assertEquals("admin", settings.consoleUser());
    assertEquals("generated", settings.consolePassword());
  }

  @Test
  void eachKeyGoesToItsComponentAndPlatformKeysToNone() throws IOException {
    NodeSettings settings = parse("nodeId=1\nmembers=1@127.0.0.1:7001\nhttp.port=8081\n"
        + "console.password=pw\ngroupCount=16\nclusterSecret=abc\ndir=nodes/one\nsyncPolicy=none\n");

    Map<String, String> engine = settings.engineConfig();
    assertEquals("16", engine.get("groupCount"));
    assertEquals(Map.of("dataDir", "/srv/paxos/nodes/one/paxos", "groupCount", "16"), engine);
    // the secret is a private property of the transport: never among its service properties
    assertEquals("abc", settings.transportConfig().get(".clusterSecret"));
    assertEquals("none", settings.storeConfig().get("syncPolicy"));
    assertTrue(engine.keySet().stream().noneMatch(NodeSettings.PLATFORM_KEYS::contains), engine.toString());
    assertEquals(8081, settings.httpPort());
    assertEquals("pw", settings.consolePassword());
    assertEquals(Path.of("/srv/paxos/nodes/one/paxos"), settings.dataDir());
  }

  @Test
  void startModeStaysWithTheLauncherAndForgetIncarnationsGoesToTheTransport() throws IOException {
    NodeSettings settings = parse("nodeId=1\nmembers=1@127.0.0.1:7001\nconsole.password=pw\n"
        + "startMode=bootstrap\nforgetIncarnations=3\n");
    assertEquals("bootstrap", settings.startMode());
    assertEquals(Map.of("dataDir", "/srv/paxos/data/node-1/paxos"), settings.engineConfig());
    assertEquals("3", settings.transportConfig().get("forgetIncarnations"));
    assertEquals("true", settings.storeConfig().get("createDirectory"), "only bootstrap creates the log");
  }

  @Test
  void largerBatchesRaiseTheStoreAndTransportLimitsAsTheEmbeddedNodeDoes() throws IOException {
    NodeSettings settings = parse("nodeId=1\nmembers=1@127.0.0.1:7001\nconsole.password=pw\nbatchBytesMax=16777216\n");

    assertEquals("16777216", settings.engineConfig().get("batchBytesMax"));
    assertEquals(Integer.toString((16 << 20) + 4096), settings.storeConfig().get("maxValueBytes"));
    assertEquals(Integer.toString((32 << 20) + (64 << 10)), settings.transportConfig().get("maxFrameBytes"));
  }

  @Test
  void nonsenseIsRejectedNamingTheSetting() {
    assertMessage("nodeId is missing", "members=1@h:1\n");
    assertMessage("nodeId 3 is not one of members", "nodeId=3\nmembers=1@h:1,2@h:2\n");
    assertMessage("bad member 'h:1'", "nodeId=1\nmembers=h:1\n");
    assertMessage("names node 1 twice", "nodeId=1\nmembers=1@h:1,1@h:2\n");
    assertMessage("http.port must be in 1..65535", "nodeId=1\nmembers=1@h:1\nhttp.port=70000\n");
    assertMessage("port must be a number", "nodeId=1\nmembers=1@h:1\nport=x\n");
  }

  @Test
  void consolePasswordIsPassedOnlyHashed() {
    // the web console's own default: admin hashes to this value
    assertEquals("{sha-256}jGl25bVBBBW96Qi9Te4V37Fnqchz/Eu4qB9vKrRIqRg=", Secrets.consolePasswordHash("admin"));
  }

  private static void assertMessage(String expected, String file) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private static NodeSettings parse(String text) throws IOException {
    Properties properties = new Properties();
    properties.load(new StringReader(text));
    return NodeSettings.fromProperties(properties, BASE, nodeDir -> "generated");
  }
}
