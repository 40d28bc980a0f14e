package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code ./paxos demo --node N}: which node to start alone. */
class DemoFlagsTest {

  @Test
  void nodeFlagNamesOneOfTheFourNodes() {
    assertEquals(0, Demo.onlyNode(new String[] {"--data", "x"}));
    assertEquals(2, Demo.onlyNode(new String[] {"--data", "x", "--node", "2"}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Demo.onlyNode(new String[] {"--node", "5"}));
    assertTrue(e.getMessage().contains("--node needs 1, 2, 3 or 4"), e.getMessage());
    assertEquals(4, Demo.onlyNode(new String[] {"--node", "4", "--join"}));
    assertThrows(IllegalArgumentException.class, () -> Demo.onlyNode(new String[] {"--node"}));
  }
}
