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
}
