package paxos.api;

import java.util.Objects;

/**
 * One node of the cluster.
 *
 * @param nodeId unique in the cluster, {@code 1..65535}
 * @param host the address peers connect to (an IP literal or host name)
 * @param port the Paxos port, {@code 1..65535}
 * @param role voter or follower
 */
public record Member(int nodeId, String host, int port, MemberRole role) {
    /** Validates ranges; throws {@link IllegalArgumentException} naming the bad field. */
    public Member {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        if (nodeId < 1 || nodeId > 65_535) throw new IllegalArgumentException("nodeId must be in 1..65535: " + nodeId);
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be in 1..65535: " + port);
        if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
    }
}
