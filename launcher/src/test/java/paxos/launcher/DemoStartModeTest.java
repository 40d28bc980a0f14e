package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.launcher.node.NodeIdentityCheck;
import paxos.launcher.node.NodeSettings;

/**
 * Which demo nodes are bootstrapped: a node at its first start in the demo directory (also when
 * the nodes are started one by one with {@code --node}); a node that started before is a member,
 * so a lost data directory (or a whole lost node folder) is refused rather than recreated.
 */
class DemoStartModeTest {
  @TempDir Path work;

  private List<String> modes() throws Exception {
    return Demo.configure(new String[] {"--data", "demo"}, work).stream().map(NodeSettings::startMode).toList();
  }

  @Test
  void onlyNodesThatNeverStartedAreBootstrapped() throws Exception {
    assertEquals(List.of("bootstrap", "bootstrap", "bootstrap"), modes());
    Path data = work.resolve("demo");
    // node 1 started alone (its identity exists, the demo recorded the start): nodes 2 and 3 may still bootstrap
    NodeIdentityCheck.incarnation(data.resolve("node-1").resolve("paxos"), "paxos", 1, "bootstrap");
    Files.writeString(data.resolve("demo.properties"), Files.readString(data.resolve("demo.properties"))
        + "node.1.bootstrapped=true\nnode.2.bootstrapped=true\n");
    // node 2 started before but its whole folder is gone: a member without identity (refused at start)
    assertEquals(List.of("member", "member", "bootstrap"), modes());
  }

  @Test
  void nodeFourExistsOnlyOnceStartedToJoinAndThenIsAMember() throws Exception {
    assertEquals(List.of(1, 2, 3), Demo.configure(new String[] {"--data", "demo"}, work).stream()
        .map(NodeSettings::nodeId).toList());
    List<NodeSettings> joining = Demo.configure(new String[] {"--data", "demo"}, work, 4, 4);
    NodeSettings four = joining.get(3);
    assertEquals(List.of(4, "join", 7004, 8084), List.of(four.nodeId(), four.startMode(), four.port(), four.httpPort()));
    assertEquals("true", four.engineConfig().get("joining"));
    assertEquals("false", four.storeConfig().get("createDirectory"), "NodeHome.prepare sets it at the first start only");
    assertEquals("1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003,4@127.0.0.1:7004", four.transportConfig().get("members"));
    assertEquals("1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003", joining.get(0).transportConfig().get("members"),
        "the bootstrap membership stays nodes 1-3");
    assertEquals("member", Demo.configure(new String[] {"--data", "demo"}, work, 0, 4).get(3).startMode(),
        "without --join a node 4 that never started is refused at start");
    NodeIdentityCheck.incarnation(work.resolve("demo").resolve("node-4").resolve("paxos"), "paxos", 4, "join");
    List<NodeSettings> later = Demo.configure(new String[] {"--data", "demo"}, work);
    assertEquals(List.of(1, 2, 3, 4), later.stream().map(NodeSettings::nodeId).toList(), "a joined node 4 starts with the demo");
    assertEquals("member", later.get(3).startMode());
    assertEquals(null, later.get(3).engineConfig().get("joining"));
  }
}
