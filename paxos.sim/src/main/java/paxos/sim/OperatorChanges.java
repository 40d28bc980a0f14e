package paxos.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.api.MembershipChange;

/**
 * The membership changes the simulated operator proposed that may still be chosen and apply, per
 * group: what a careful operator keeps in mind before wiping a disk. A proposal that timed out for
 * its caller is <em>not</em> dead ({@code ProposalTimeoutException}): a value one acceptor accepted
 * is adopted by whichever leader's phase 1 hears of it, arbitrarily later (seed 1845: a change
 * proposed at t=400, accepted by one node only, chosen at t=5837 by a new leader's recovery, after
 * node 3 was wiped: its pending membership counted the lost disk as one of its two voters, so no
 * leader could ever run phase 1 again). A change is a compare-and-set on the latest membership's
 * version, and versions only grow, so it can still apply only while that version is the latest
 * chosen one; the rest are forgotten. Bounded by the changes proposed between two versions.
 */
final class OperatorChanges {
    /** A change computed against version {@code expected}, and the membership it would put in force. */
    private record Proposed(int group, long expected, Membership result) {}

    private final List<Proposed> proposed = new ArrayList<>();

    /** The operator proposed {@code change} to group {@code group} whose latest membership was {@code latest}. */
    void proposed(int group, Membership latest, MembershipChange change) {
        List<Member> members = apply(latest, change);
        if (members != null) proposed.add(new Proposed(group, latest.configVersion(), new Membership(latest.configVersion(), members)));
    }

    /**
     * The memberships that changes proposed to {@code group} would put in force if chosen now, its
     * latest chosen membership being version {@code latestVersion}; forgets those that can no longer apply.
     */
    List<Membership> mayStillApply(int group, long latestVersion) {
        List<Membership> out = new ArrayList<>();
        for (Iterator<Proposed> it = proposed.iterator(); it.hasNext(); ) {
            Proposed p = it.next();
            if (p.group() != group) continue;
            if (p.expected() < latestVersion) it.remove(); // another change was decided: this one is a no-op for ever
            else if (p.expected() == latestVersion) out.add(p.result());
        }
        return out;
    }

    /**
     * The members {@code change} leads to from {@code m} by the runtime's own rule, or {@code null} if
     * the runtime refuses it (then it is never proposed).
     */
    static List<Member> apply(Membership m, MembershipChange change) {
        try {
            return paxos.impl.runtime.MembershipChanges.apply(m, change);
        } catch (IllegalArgumentException refused) {
            return null;
        }
    }
}
