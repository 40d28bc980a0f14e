package paxos.impl.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import paxos.api.GroupState;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.PaxosNode;

/**
 * One operator action on the membership, cluster-wide: the same action becomes one
 * {@link MembershipChange} per group (each group logs its own), chosen from that group's
 * membership in force, so that repeating an action after a partial failure finishes it instead of
 * failing where it is already done. Shared by the REST endpoint, the Gogo commands and the
 * multi-process test tool, which only format the {@link Outcome} differently.
 *
 * <p>Kinds: {@code put(id, host:port, role, null)} adds node {@code id} (a voter unless the role
 * says follower) or, if it is already a member, changes its role (promote/demote);
 * {@code put(id, host:port, null, old)} replaces member {@code old} by the new node {@code id};
 * {@link #remove} removes a member. Immutable; {@link #apply} blocks its caller (an HTTP or shell
 * thread, never an engine thread) at most the given time.
 *
 * @param kind what the operator asked for
 * @param nodeId the node added, changed, replacing or removed
 * @param host its Paxos address ({@code null} for remove and role changes without one)
 * @param port its Paxos port ({@code 0} without an address)
 * @param role the role asked for, or {@code null} (add: voter; replace: the old member's)
 * @param replaced the member replaced, or {@code 0}
 */
public record MemberOperation(Kind kind, int nodeId, String host, int port, MemberRole role, int replaced) {
    /** What the operator asked for. */
    public enum Kind {
        /** Add a node, or change the role of a member. */
        PUT,
        /** Replace a member by a new node. */
        REPLACE,
        /** Remove a member. */
        REMOVE
    }

    /** Checks the fields' combination; throws {@link IllegalArgumentException} for the operator. */
    public MemberOperation {
        if (nodeId < 1 || nodeId > 65_535) throw new IllegalArgumentException("node ID must be in 1..65535: " + nodeId);
        if (kind == Kind.REPLACE && (host == null || replaced < 1 || replaced > 65_535))
            throw new IllegalArgumentException("a replacement needs host:port of the new node and the replaced node's ID: " + replaced);
        if (kind == Kind.REPLACE && role != null)
            throw new IllegalArgumentException("a replacement takes the replaced member's role; change it afterwards");
    }

    /**
     * Parses an add / role change / replace as the REST endpoint and the shell take it.
     *
     * @param address {@code host:port} ({@code [v6]:port} for IPv6), or null/blank for a role change
     * @param role {@code voter}, {@code follower} or null/blank
     * @param replace the node ID replaced, or null/blank
     * @throws IllegalArgumentException naming the bad part
     */
    public static MemberOperation put(int nodeId, String address, String role, String replace) {
        MemberRole r = blank(role) ? null : role(role);
        String host = null;
        int port = 0;
        if (!blank(address)) {
            int colon = address.trim().lastIndexOf(':');
            String h = colon < 0 ? "" : address.trim().substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
            if (h.isBlank() || h.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '@'))
                throw new IllegalArgumentException("the body must be the new member's Paxos address host:port: '" + address.trim() + "'");
            host = h;
            port = number(address.trim().substring(colon + 1), "port");
            if (port < 1 || port > 65_535) throw new IllegalArgumentException("port must be in 1..65535: " + port);
        }
        if (!blank(replace)) return new MemberOperation(Kind.REPLACE, nodeId, host, port, r, number(replace.trim(), "replace"));
        if (host == null && r == null)
            throw new IllegalArgumentException("give the new member's address host:port as the body, or ?role=voter|follower"
                    + " to change a member's role");
        return new MemberOperation(Kind.PUT, nodeId, host, port, r, 0);
    }

    /** Removing node {@code nodeId}. */
    public static MemberOperation remove(int nodeId) {
        return new MemberOperation(Kind.REMOVE, nodeId, null, 0, null, 0);
    }

    /** {@code voter} or {@code follower}, in any case. */
    public static MemberRole role(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "voter" -> MemberRole.VOTER;
            case "follower" -> MemberRole.FOLLOWER;
            default -> throw new IllegalArgumentException("role must be voter or follower: '" + text.trim() + "'");
        };
    }

    /**
     * The change this action makes to one group's membership in force, or {@code null} if that
     * group already has it (a repeated action).
     *
     * @throws IllegalArgumentException if it does not apply (e.g. a role change of a non-member
     *     without an address, an address that differs from the member's, a replaced node unknown)
     */
    public MembershipChange change(Membership m) {
        Member current = find(m, nodeId);
        return switch (kind) {
            case REMOVE -> current == null ? null : new MembershipChange.Remove(nodeId);
            case REPLACE -> {
                Member old = find(m, replaced);
                // a node replaced by itself: its new incarnation (a fresh disk) is the one it proved (see JoinerIncarnation)
                if (replaced == nodeId) {
                    if (old == null) throw new IllegalArgumentException("node " + replaced + " is not a member");
                    yield new MembershipChange.Replace(replaced, new Member(nodeId, host, port, old.role()));
                }
                if (old == null && current != null && sameAddress(current)) yield null; // done before
                if (old == null) throw new IllegalArgumentException("node " + replaced + " is not a member");
                if (current != null) throw new IllegalArgumentException("node " + nodeId + " is already a member");
                yield new MembershipChange.Replace(replaced, new Member(nodeId, host, port, old.role()));
            }
            case PUT -> {
                if (current == null) {
                    if (host == null)
                        throw new IllegalArgumentException("node " + nodeId + " is not a member: give its address host:port to add it");
                    yield new MembershipChange.Add(new Member(nodeId, host, port, role == null ? MemberRole.VOTER : role));
                }
                if (host != null && !sameAddress(current))
                    throw new IllegalArgumentException("node " + nodeId + " is a member at " + current.host() + ":"
                            + current.port() + ", not " + host + ":" + port + "; a new machine gets a new node ID"
                            + " and replaces it (?replace=" + nodeId + ")");
                yield role == null || role == current.role() ? null : new MembershipChange.ChangeRole(nodeId, role);
            }
        };
    }

    /** One group's outcome: the membership in force after the action, or why it failed there. */
    public record Outcome(Membership membership, Throwable failure, boolean unchanged) {}

    /**
     * Applies this action to every group of {@code node}, all groups at once, and waits for them.
     * Refuses (throws) before proposing anything if a group is not running here (its membership in
     * force may be stale) or if a removed or replaced node is a member of no group.
     *
     * @return per group, in group order
     * @throws NotReadyException if a group is not {@code RUNNING} on this node
     * @throws IllegalArgumentException if the action applies to no group (unknown node)
     */
    public Map<Integer, Outcome> apply(PaxosNode node, long waitMillis) throws InterruptedException {
        int groups = node.groupCount();
        for (int g = 0; g < groups; g++) {
            GroupState state = node.status(g).state();
            if (state != GroupState.RUNNING) throw new NotReadyException("group " + g + " is " + state + " on this node");
        }
        int missing = kind == Kind.REMOVE ? nodeId : kind == Kind.REPLACE ? replaced : 0;
        if (missing != 0) {
            boolean anywhere = false;
            for (int g = 0; g < groups; g++) anywhere |= node.membership(g).contains(missing) || kind == Kind.REPLACE
                    && node.membership(g).contains(nodeId);
            if (!anywhere) throw new UnknownMemberException("node " + missing + " is a member of no group");
        }
        Map<Integer, CompletableFuture<Membership>> stages = new LinkedHashMap<>();
        Map<Integer, Outcome> out = new LinkedHashMap<>();
        for (int g = 0; g < groups; g++) {
            Membership m = node.membership(g);
            try {
                MembershipChange c = change(m);
                if (c == null) out.put(g, new Outcome(m, null, true));
                else stages.put(g, node.changeMembership(g, c).toCompletableFuture());
            } catch (RuntimeException e) { // IllegalArgumentException, or a node without membership changes
                out.put(g, new Outcome(m, e, false));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (Map.Entry<Integer, CompletableFuture<Membership>> s : stages.entrySet()) {
            try {
                out.put(s.getKey(), new Outcome(s.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS), null, false));
            } catch (ExecutionException e) {
                out.put(s.getKey(), new Outcome(node.membership(s.getKey()), e.getCause(), false));
            } catch (TimeoutException e) {
                out.put(s.getKey(), new Outcome(node.membership(s.getKey()), new TimeoutException("no answer within "
                        + waitMillis + " ms; the change may still come into force"), false));
            }
        }
        Map<Integer, Outcome> sorted = new java.util.TreeMap<>(out);
        return new LinkedHashMap<>(sorted);
    }

    /** What the operator asked for, in words (logs, answers). */
    public String describe() {
        String address = host == null ? "" : " at " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return switch (kind) {
            case REMOVE -> "remove node " + nodeId;
            case REPLACE -> replaced == nodeId ? "replace node " + nodeId + " by a new incarnation of it" + address
                    : "replace node " + replaced + " by node " + nodeId + address;
            case PUT -> "add or change node " + nodeId + address + (role == null ? "" : " as " + role.name().toLowerCase(Locale.ROOT));
        };
    }

    /** One member as the operator reads it: {@code id@host:port role [incarnation]}. */
    public static String describe(Member m) {
        return m.nodeId() + "@" + m.host() + ":" + m.port() + " " + m.role().name().toLowerCase(Locale.ROOT)
                + (m.incarnation() == null ? "" : " " + m.incarnation());
    }

    /** A group is not running here: the membership it shows may be stale; retry. */
    public static final class NotReadyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NotReadyException(String message) {
            super(message);
        }
    }

    /** The node removed or replaced is a member of no group. */
    public static final class UnknownMemberException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownMemberException(String message) {
            super(message);
        }
    }

    private boolean sameAddress(Member m) {
        return m.host().equals(host) && m.port() == port;
    }

    private static Member find(Membership m, int id) {
        List<Member> all = m.members();
        for (Member x : all) if (x.nodeId() == id) return x;
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static int number(String text, String what) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number: '" + text.trim() + "'");
        }
    }
}
