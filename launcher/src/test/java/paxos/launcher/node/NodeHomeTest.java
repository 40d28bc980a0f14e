package paxos.launcher.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's home as the launcher lays it out: paxos.data.dir, HTTP members, old plugin data moved. */
class NodeHomeTest {

  @TempDir Path temp;

  @Test
  void pluginDataDirectoryAndHttpMembersReachThePlatform() throws IOException {
    NodeSettings settings = settings("http.members=1@127.0.0.1:8081,2@127.0.0.1:8082\n");
    NodeHome.prepare(settings);
    String args = Files.readString(NodeHome.argsFile(settings));
    assertTrue(args.contains("\"-Dpaxos.data.dir=" + settings.dataDir() + "\""), args);
    assertTrue(args.contains("\"-Dpaxos.http.members=1@127.0.0.1:8081,2@127.0.0.1:8082\""), args);
  }

  @Test
  void withoutHttpMembersOnlyThisNodesAddressIsKnown() throws IOException {
    NodeSettings settings = settings("");
    assertEquals(List.of(new MemberAddress(1, "127.0.0.1", 8081)), settings.httpMembers());
  }

  @Test
  void pluginDataOfTheOldPlaceIsMovedUnlessTheNewPlaceHasSome() throws IOException {
    NodeSettings settings = settings("");
    Path old = settings.nodeDir().resolve("data").resolve("statemachines");
    Files.createDirectories(old.resolve("kv").resolve("group-0"));
    Files.writeString(old.resolve("kv").resolve("group-0").resolve("CURRENT"), "kv data");
    Files.createDirectories(old.resolve("config"));
    Path newConfig = settings.dataDir().resolve("statemachines").resolve("config");
    Files.createDirectories(newConfig);

    List<String> report = NodeHome.migratePluginData(settings);

    assertEquals("kv data", Files.readString(settings.dataDir().resolve("statemachines/kv/group-0/CURRENT")));
    assertFalse(Files.exists(old.resolve("kv")), "moved, not copied");
    assertTrue(Files.isDirectory(old.resolve("config")), "left in place: the new place has data");
    assertEquals(2, report.size(), report.toString());
    assertTrue(report.get(0).startsWith("left ") && report.get(1).startsWith("moved "), report.toString());
    assertEquals(List.of(), NodeHome.migratePluginData(settings).stream().filter(l -> l.startsWith("moved")).toList());
  }

  @Test
  void localSettingsOverlayTheNodeFileAtEveryStartAndIdentityKeysAreRefused() throws IOException {
    NodeSettings settings = settings("holdLogCount=1000\nsyncPolicy=SYNC\n");
    Files.createDirectories(settings.nodeDir());
    Files.writeString(LocalSettings.file(settings.nodeDir()), "holdLogCount=5000\nsyncPolicy=NONE\nnodeId=9\n");
    NodeHome.prepare(settings);
    NodeHome.prepare(settings); // a second start: the file is still there and still wins
    Path deploy = NodeHome.deployDir(settings);
    assertTrue(Files.readString(deploy.resolve(NodeHome.ENGINE_CONFIG_FILE)).contains("holdLogCount = 5000"));
    assertTrue(Files.readString(deploy.resolve(NodeHome.STORE_CONFIG_FILE)).contains("syncPolicy = NONE"), "routed to its PID");
    assertTrue(Files.readString(deploy.resolve(NodeHome.TRANSPORT_CONFIG_FILE)).contains("nodeId = 1"), "identity is the node file's");
    List<String> report = new java.util.ArrayList<>();
    LocalSettings.apply(settings, report);
    assertTrue(report.stream().anyMatch(l -> l.startsWith("holdLogCount = 5000 from ") && l.endsWith("(instead of 1000)")), report.toString());
    assertTrue(report.stream().anyMatch(l -> l.startsWith("ignored nodeId")), report.toString());
    assertTrue(Files.readString(NodeHome.argsFile(settings)).contains("-D" + LocalSettings.PROPERTY + "="), "the console learns where to save");
  }

  private NodeSettings settings(String extra) throws IOException {
    Properties file = new Properties();
    file.load(new StringReader("nodeId=1\nmembers=1@127.0.0.1:7001\nhttp.port=8081\nconsole.password=pw\n"
        + (extra.contains("startMode") ? "" : "startMode=bootstrap\n") + extra));
    return NodeSettings.fromProperties(file, temp, dir -> "unused");
  }

  @Test
  void aMemberRefusesAMissingDirectoryAndBootstrapCreatesItsIdentity() throws IOException {
    IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> NodeHome.prepare(settings("startMode=member\n")));
    assertTrue(refused.getMessage().contains("refuses to start") && refused.getMessage().contains("--bootstrap")
        && refused.getMessage().contains("--join") && refused.getMessage().contains("replace=1"), refused.getMessage());
    assertFalse(Files.exists(settings("startMode=member\n").dataDir()), "nothing created");

    NodeSettings bootstrap = settings("");
    NodeHome.prepare(bootstrap);
    String identity = Files.readString(bootstrap.dataDir().resolve(NodeIdentityCheck.FILE));
    assertTrue(identity.matches("(?s).*incarnation=[0-9a-f]{32}.*"), identity);
    String transport = Files.readString(NodeHome.deployDir(bootstrap).resolve(NodeHome.TRANSPORT_CONFIG_FILE));
    String incarnation = identity.replaceAll("(?s).*incarnation=([0-9a-f]{32}).*", "$1");
    assertTrue(transport.contains("incarnation = " + incarnation), transport);
    assertTrue(Files.readString(NodeHome.deployDir(bootstrap).resolve(NodeHome.STORE_CONFIG_FILE))
        .contains("createDirectory = true"));

    NodeHome.prepare(settings("startMode=member\n")); // a restart: the identity is there, kept as it was
    assertEquals(identity, Files.readString(bootstrap.dataDir().resolve(NodeIdentityCheck.FILE)));
    IllegalStateException other = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> NodeIdentityCheck.incarnation(bootstrap.dataDir(), "paxos", 2, "member"));
    assertTrue(other.getMessage().contains("belongs to cluster paxos node 1"), other.getMessage());
  }

  @Test
  void joinMakesAFreshIdentityAndLogOnceAndTellsTheEngineItIsJoining() throws IOException {
    NodeSettings join = settings("startMode=join\n");
    NodeHome.prepare(join);
    String identity = Files.readString(join.dataDir().resolve(NodeIdentityCheck.FILE));
    assertTrue(identity.matches("(?s).*incarnation=[0-9a-f]{32}.*"), identity);
    Path deploy = NodeHome.deployDir(join);
    assertTrue(Files.readString(deploy.resolve(NodeHome.STORE_CONFIG_FILE)).contains("createDirectory = true"),
        "the start that made the identity makes the log");
    assertTrue(Files.readString(deploy.resolve(NodeHome.ENGINE_CONFIG_FILE)).contains("joining = true"));
    NodeHome.prepare(join); // restarted, still joining: the identity stays, a lost log is no longer recreated
    assertEquals(identity, Files.readString(join.dataDir().resolve(NodeIdentityCheck.FILE)));
    assertTrue(Files.readString(deploy.resolve(NodeHome.STORE_CONFIG_FILE)).contains("createDirectory = false"));
    NodeHome.prepare(settings("startMode=member\n"));
    assertFalse(Files.readString(deploy.resolve(NodeHome.ENGINE_CONFIG_FILE)).contains("joining"));
  }
}
