package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import paxos.api.ConflictException;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.impl.core.ConfigTracker;
import paxos.impl.core.GroupCore;
import paxos.impl.core.MembershipCommand;

/**
 * One group's membership as the runtime sees it (the core persists the history itself, metadata
 * key {@value #KEY}, in the Ready that records the change): keeps the history for checkpoints,
 * publishes the membership in force, and completes {@link paxos.api.PaxosNode#changeMembership} callers once the
 * change they proposed is in force here.
 *
 * <p><b>Threads.</b> {@link #afterCore} and {@link #await} run on the group's event loop; the
 * published fields are read from any thread. Public for {@link #apply} only (the simulator's
 * operator asks it what a change it proposed would lead to).
 */
public final class MembershipChanges {
    /** Log store metadata key of the group's membership history ({@link ConfigTracker#encode}). */
    static final String KEY = ConfigTracker.META_KEY;
    /** Callers waiting for their change at most (each also has its proposal timeout). */
    private static final int WAITERS_MAX = 1024;

    private final int group;
    private int persistedChanges = -1;
    private final List<Waiter> waiters = new ArrayList<>();

    private volatile byte[] history;
    private volatile Membership inForce;
    private volatile Membership latest;
    private volatile long latestStart;
    /** The core's {@link GroupCore#membershipStamp} when last published (the loop's only). */
    private long publishedStamp = Long.MIN_VALUE;
    /** Told whenever the membership in force or the latest one changes; set once before the loop runs. */
    private volatile Listener listener;

    /** Hears of membership changes of one group (its event loop; must not block). */
    @FunctionalInterface
    interface Listener {
        void changed(int group, Membership inForce, Membership latest);
    }
    private volatile List<Integer> catchUpPeers = List.of();

    /** A caller waiting for the change in force from {@code start}. */
    private record Waiter(long start, CompletableFuture<Membership> done) {}

    MembershipChanges(int group, GroupCore core) {
        this.group = group;
        publish(core);
    }

    /** Loop: after the core stepped, ticked or took a proposal, before its Ready is persisted. */
    void afterCore(GroupCore core) {
        if (core.membershipChanges() != persistedChanges) { // the core persists it in its Ready; this is for checkpoints
            persistedChanges = core.membershipChanges();
            history = core.membershipHistory();
        }
        publish(core);
        if (waiters.isEmpty()) return;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.done.isDone()) it.remove();
            else if (core.chosenUpTo() + 1 >= w.start) {
                w.done.complete(inForce);
                it.remove();
            }
        }
    }

    private void publish(GroupCore core) {
        // runs after every pass of the loop; the memberships almost never change
        long stamp = core.membershipStamp();
        if (stamp == publishedStamp) return;
        publishedStamp = stamp;
        Membership m = core.membershipInForce();
        Membership l = core.latestMembership();
        boolean changed = m != inForce && !m.equals(inForce) || l != latest && !l.equals(latest);
        if (m != inForce) inForce = m;
        if (l != latest) latest = l;
        latestStart = core.latestMembershipStart();
        List<Integer> peers = core.catchUpPeers();
        if (!peers.equals(catchUpPeers)) catchUpPeers = peers;
        Listener to = listener;
        if (changed && to != null) to.changed(group, m, l);
    }

    /** Tells {@code to} the memberships now and at every change from now on. */
    void listen(Listener to) {
        listener = to;
        to.changed(group, inForce, latest);
    }

    /**
     * Loop: the change proposed by a caller executed at {@code instance}; completes {@code done} once
     * it is in force here, or fails it if it was decided a no-op there.
     */
    void await(GroupCore core, long instance, CompletableFuture<Membership> done) {
        long start = core.membershipStartOf(instance);
        if (start < 0) {
            done.completeExceptionally(new IllegalArgumentException("the membership change chosen at instance " + instance
                    + " of group " + group + " no longer applied there (another change came first); nothing changed"));
            return;
        }
        if (waiters.size() >= WAITERS_MAX) {
            done.completeExceptionally(new IllegalStateException("too many membership changes waiting"));
            return;
        }
        waiters.add(new Waiter(start, done));
        afterCore(core);
    }

    /** The history as last persisted; any thread. */
    byte[] history() {
        return history;
    }

    /** The latest decided membership (in force, or chosen and pending); any thread. */
    Membership latest() {
        return latest;
    }

    /** The peers catch-up may ask ({@link GroupCore#catchUpPeers}); any thread. */
    List<Integer> catchUpPeers() {
        return catchUpPeers;
    }

    /** The membership in force for this node's next instance. */
    Membership inForce() {
        return inForce;
    }

    /**
     * Any thread: the command that makes {@code change} of the latest decided membership.
     *
     * @param chosenUpTo this node's chosen prefix (a change pending above it conflicts)
     * @throws ConflictException while a change is chosen but not in force
     * @throws IllegalArgumentException if the change does not apply
     */
    MembershipCommand command(MembershipChange change, long chosenUpTo) {
        if (latestStart > chosenUpTo + 1)
            throw new ConflictException("group " + group + ": a membership change is chosen but not in force yet (from instance "
                    + latestStart + "); one change at a time");
        return new MembershipCommand(latest.configVersion(), apply(latest, change));
    }

    /**
     * The members {@code change} leads to from {@code m}; pure.
     *
     * @throws IllegalArgumentException for an unknown or duplicate node, or a result whose voters that
     *     were voters before are not a quorum of it (a newly added voter has not caught up yet)
     */
    public static List<Member> apply(Membership m, MembershipChange change) {
        List<Member> out = new ArrayList<>(m.members());
        if (change instanceof MembershipChange.Add a) {
            if (m.contains(a.member().nodeId())) throw new IllegalArgumentException("node " + a.member().nodeId() + " is already a member");
            out.add(a.member());
        } else if (change instanceof MembershipChange.Remove r) {
            if (!out.removeIf(x -> x.nodeId() == r.nodeId())) throw new IllegalArgumentException("node " + r.nodeId() + " is not a member");
        } else if (change instanceof MembershipChange.ChangeRole c) {
            int i = indexOf(out, c.nodeId());
            if (out.get(i).role() == c.role()) throw new IllegalArgumentException("node " + c.nodeId() + " is already a " + c.role());
            out.set(i, out.get(i).withRole(c.role()));
        } else if (change instanceof MembershipChange.Replace r) {
            int i = indexOf(out, r.oldNodeId());
            Member n = r.member();
            // a node replaced by itself is a new incarnation of it (its disk was lost and it joined again)
            boolean again = n.nodeId() == r.oldNodeId();
            if (again && (n.incarnation() == null || n.incarnation().equals(out.get(i).incarnation())))
                throw new IllegalArgumentException("node " + n.nodeId() + " can replace itself only under a new incarnation");
            if (!again && m.contains(n.nodeId())) throw new IllegalArgumentException("node " + n.nodeId() + " is already a member");
            out.set(i, new Member(n.nodeId(), n.host(), n.port(), out.get(i).role(), n.incarnation()));
        }
        out.sort(java.util.Comparator.comparingInt(Member::nodeId));
        Membership next = new Membership(0, out);
        if (next.voters() == 0) throw new IllegalArgumentException("the change would leave group without voters");
        // the replacing node has not caught up, even under the ID it replaces
        int fresh = change instanceof MembershipChange.Replace r ? r.member().nodeId() : 0;
        long staying = out.stream().filter(x -> x.role() == MemberRole.VOTER && x.nodeId() != fresh)
                .filter(x -> m.members().stream().anyMatch(o -> o.nodeId() == x.nodeId() && o.role() == MemberRole.VOTER)).count();
        if (staying < next.quorum())
            throw new IllegalArgumentException("the change leaves " + staying + " caught-up voters, fewer than a quorum ("
                    + next.quorum() + ") of the " + next.voters() + " voters it makes; change one voter at a time");
        return out;
    }

    private static int indexOf(List<Member> members, int node) {
        for (int i = 0; i < members.size(); i++) if (members.get(i).nodeId() == node) return i;
        throw new IllegalArgumentException("node " + node + " is not a member");
    }
}
