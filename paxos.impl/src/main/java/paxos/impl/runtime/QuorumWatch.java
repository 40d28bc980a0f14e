package paxos.impl.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import paxos.api.GroupUnavailableException;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.PeerInfo;

/**
 * Fast, honest "no quorum" answers. A write or a LINEARIZABLE read that no quorum can confirm
 * would only wait for its timeout and then answer "may or may not have been applied"; when this
 * node can tell it cannot reach a quorum of the group, the engine refuses it at once with
 * {@link GroupUnavailableException} (nothing proposed, REST 503 with Retry-After). STALE reads
 * still answer.
 *
 * <p>The group is unreachable when <em>both</em> views agree: the core's (it heard no leader and
 * fewer than a quorum of voters, itself included, within an election timeout — see
 * {@code GroupCore.quorumReachable}) and the transport's (fewer than a quorum of voters heard
 * within the peer silence limit, see {@code Engine.peers()}). Why both: an idle leader hears
 * nothing back from its followers in the group's own traffic, while transport keepalives are
 * per node and say nothing of a group whose leader stopped answering. Requiring both errs on the
 * side of trying: a refusal happens only when neither view sees a quorum.
 *
 * <p>Stateless; called from any caller thread (reads the runner's published volatile view and a
 * snapshot of the transport's peers).
 */
final class QuorumWatch {
    private QuorumWatch() {}

    /** The refusal for a write or LINEARIZABLE read of {@code group}, or {@code null} to go ahead. */
    static GroupUnavailableException refusal(int group, int self, GroupRunner runner, Membership membership,
                                             Supplier<List<PeerInfo>> peers) {
        // the transport's snapshot is taken only when the core's view is negative (rare)
        if (runner == null || runner.quorumReachable() || transportQuorum(self, membership, peers.get())) return null;
        return new GroupUnavailableException("node " + self + " cannot reach a quorum of group " + group
                + " (no leader and fewer than " + membership.quorum() + " of " + membership.voters()
                + " voters heard within an election timeout); nothing was proposed, retry later or elsewhere");
    }

    /** True if this node (when a voter) and the voters the transport heard recently make a quorum. */
    static boolean transportQuorum(int self, Membership membership, List<PeerInfo> peers) {
        Set<Integer> reachable = new HashSet<>();
        for (PeerInfo p : peers) if (p.reachable()) reachable.add(p.nodeId());
        int up = 0;
        for (Member m : membership.members())
            if (m.role() == MemberRole.VOTER && (m.nodeId() == self || reachable.contains(m.nodeId()))) up++;
        return up >= membership.quorum();
    }
}
