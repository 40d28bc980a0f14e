package paxos.impl.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;

/**
 * Ignores votes from a node's former incarnation: a node that lost its disk forgot its promises
 * and accepted values, so its votes, and the requests that would make this node vote for it
 * (phase 1a and 2a, where a leader counts its own forgotten vote), count only once a membership
 * names its new incarnation (an operator replaced it by itself). One per node, shared by its groups.
 *
 * <p><b>The rule.</b> A prepare, promise, accept, accepted, read probe or its answer from node {@code n} that presents
 * incarnation {@code x} is stepped only if every membership of the group in force or pending that
 * lists {@code n} lists it with {@code x}. A member listed without one (a bootstrap configuration's)
 * is pinned to the first incarnation seen from it. The pin is kept in memory only, and that loses
 * nothing on a restart: a transport that presents incarnations records the first it admitted per
 * peer durably and admits no other for a member listed without one (the Netty transport's
 * {@code peer-incarnations.properties}), so after a restart the first incarnation seen here is that
 * record again ({@code NodeIdentityClusterTest} restarts a node for it). A transport without
 * incarnations presents none, and nothing is pinned. A sender presenting none (a transport without incarnations) is stepped
 * only where it is listed without one. Every other message (commits, heartbeats, catch-up) passes:
 * learning from a new incarnation is safe.
 *
 * <p><b>Threads.</b> Called on the groups' loops, concurrently for different groups.
 */
public final class IncarnationGate {
    private final boolean enabled;
    private final Map<Integer, String> pinned = new ConcurrentHashMap<>();

    private IncarnationGate(boolean enabled) {
        this.enabled = enabled;
    }

    /** The production gate. */
    public static IncarnationGate create() {
        return new IncarnationGate(true);
    }

    /** A gate that lets everything through: only the simulator's broken variant. */
    public static IncarnationGate disabled() {
        return new IncarnationGate(false);
    }

    /** The incarnation first seen from {@code node} where the membership names none, or null (any thread). */
    String pinned(int node) {
        return pinned.get(node);
    }

    /** Loop: may {@code m}, from a sender presenting {@code incarnation}, be stepped into {@code core}? */
    boolean admits(Message m, String incarnation, GroupCore core) {
        if (!enabled || !isVote(m)) return true;
        return admits(m.from(), incarnation, core.membershipInForce()) && admits(m.from(), incarnation, core.latestMembership());
    }

    private boolean admits(int node, String presented, Membership membership) {
        for (Member x : membership.members()) {
            if (x.nodeId() != node) continue;
            String expected = x.incarnation();
            if (expected == null) {
                if (presented == null) return true;
                expected = pinned.computeIfAbsent(node, n -> presented);
            }
            return expected.equals(presented);
        }
        return true; // not a member: the core judges whether a non-member's message counts
    }

    private static boolean isVote(Message m) {
        // a read probe's answer confirms leadership as a promise would: a wiped node forgot its promises
        return m instanceof Message.Prepare || m instanceof Message.Promise || m instanceof Message.Accept
                || m instanceof Message.Accepted || m instanceof Message.ReadProbe || m instanceof Message.ReadProbeAck;
    }
}
