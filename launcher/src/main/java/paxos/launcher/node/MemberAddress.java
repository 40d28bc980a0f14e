package paxos.launcher.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of the {@code members} setting: {@code id@host:port}, the Paxos address of a node.
 * Immutable; the launcher only validates and passes the list on, the engine interprets it.
 */
public record MemberAddress(int nodeId, String host, int port) {

  /** Rejects ids below 1, empty hosts and ports outside 1..65535. */
  public MemberAddress {
    if (nodeId < 1) {
      throw new IllegalArgumentException("member node id must be >= 1, got " + nodeId);
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("member " + nodeId + " has an empty host");
    }
    NodeSettings.checkPort("port of member " + nodeId, port);
  }

  /**
   * Parses {@code "1@127.0.0.1:7001,2@127.0.0.1:7002"}; throws IllegalArgumentException naming
   * the bad entry, on an empty list and on a node id given twice.
   */
  public static List<MemberAddress> parseList(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("members is empty; expected e.g. 1@127.0.0.1:7001,2@127.0.0.1:7002");
    }
    List<MemberAddress> members = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (String entry : text.split(",")) {
      MemberAddress member = parse(entry.trim());
      if (!ids.add(member.nodeId())) {
        throw new IllegalArgumentException("members names node " + member.nodeId() + " twice");
      }
      members.add(member);
    }
    return List.copyOf(members);
  }

  private static MemberAddress parse(String entry) {
    int at = entry.indexOf('@');
    int colon = entry.lastIndexOf(':');
    if (at < 1 || colon < at + 2 || colon == entry.length() - 1) {
      throw new IllegalArgumentException("bad member '" + entry + "'; expected id@host:port");
    }
    try {
      return new MemberAddress(Integer.parseInt(entry.substring(0, at)),
          entry.substring(at + 1, colon), Integer.parseInt(entry.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad member '" + entry + "'; id and port must be numbers");
    }
  }

  @Override
  public String toString() {
    return nodeId + "@" + host + ":" + port;
  }
}
