package paxos.api;

import java.util.Objects;

/**
 * One node of the cluster.
 *
 * @param nodeId unique in the cluster, {@code 1..65535}
 * @param host the address peers connect to (an IP literal or host name)
 * @param port the Paxos port, {@code 1..65535}
 * @param role voter or follower
 * @param incarnation the incarnation of the node's data directory this member was added with (the
 *     random ID its {@code node.properties} holds, hex), or {@code null} where none is known yet
 *     (a member from a bootstrap configuration: the first incarnation peers see is pinned). Peers
 *     ignore promises and accepts from any other incarnation of the node: a node that lost its disk
 *     comes back with a new one and must be added again (replaced) before it votes.
 */
public record Member(int nodeId, String host, int port, MemberRole role, String incarnation) {
    /** Validates ranges; throws {@link IllegalArgumentException} naming the bad field. */
    public Member {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        checkNodeId(nodeId);
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be in 1..65535: " + port);
        if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
        if (incarnation != null && !incarnation.matches("[0-9a-f]{1,64}"))
            throw new IllegalArgumentException("incarnation must be 1..64 lower-case hex digits: " + incarnation);
    }

    /** A member whose incarnation is not known yet (see {@link #incarnation()}). */
    public Member(int nodeId, String host, int port, MemberRole role) {
        this(nodeId, host, port, role, null);
    }

    /** This member with another role (promote, demote). */
    public Member withRole(MemberRole newRole) {
        return new Member(nodeId, host, port, newRole, incarnation);
    }

    /** @throws IllegalArgumentException unless {@code 1 <= nodeId <= 65535} */
    static void checkNodeId(int nodeId) {
        if (nodeId < 1 || nodeId > 65_535) throw new IllegalArgumentException("nodeId must be in 1..65535: " + nodeId);
    }
}
