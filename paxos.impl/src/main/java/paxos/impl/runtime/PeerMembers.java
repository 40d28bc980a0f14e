package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.api.spi.transport.Transport;

/**
 * Keeps the transport's peers in step with the memberships of every group: the union over the
 * groups of the membership in force and the one chosen but not yet in force (its new members are
 * sent to as soon as the group's core counts them, its leaving ones until it is in force), handed to
 * {@link Transport#updateMembers} whenever that union changes, and first when the groups are built
 * at start (before the transport starts). A node named with several incarnations (one group has a
 * change in force that another has not) is handed over once per incarnation.
 *
 * <p>Thread-safe: groups report from their event loops; the transport's call never blocks, so
 * holding the lock across it only orders the reports.
 */
final class PeerMembers {
    private final Transport transport;
    private final Membership[] inForce;
    private final Membership[] latest;
    private Set<Member> last = Set.of();

    PeerMembers(Transport transport, int groups) {
        this.transport = transport;
        this.inForce = new Membership[groups];
        this.latest = new Membership[groups];
    }

    /** Group {@code group}'s membership in force and its latest chosen one (the same if none is pending). */
    synchronized void update(int group, Membership groupInForce, Membership groupLatest) {
        inForce[group] = groupInForce;
        latest[group] = groupLatest;
        Set<Member> union = new LinkedHashSet<>();
        for (int g = 0; g < inForce.length; g++) {
            if (inForce[g] != null) union.addAll(inForce[g].members());
            if (latest[g] != null) union.addAll(latest[g].members());
        }
        if (union.equals(last)) return;
        last = union;
        List<Member> members = new ArrayList<>(union);
        transport.updateMembers(members);
    }
}
