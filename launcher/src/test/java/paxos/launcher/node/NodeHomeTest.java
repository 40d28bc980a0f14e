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

  private NodeSettings settings(String extra) throws IOException {
    Properties file = new Properties();
    file.load(new StringReader("nodeId=1\nmembers=1@127.0.0.1:7001\nhttp.port=8081\nconsole.password=pw\n" + extra));
    return NodeSettings.fromProperties(file, temp, dir -> "unused");
  }
}
