package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.spi.transport.Transport;

/**
 * Gives an {@link MembershipChange.Add} or {@link MembershipChange.Replace} that names no
 * incarnation the one the new node proved to this node's transport
 * ({@link Transport#presentedIncarnation}): a node started with {@code --join} dials the peers it
 * was told of, is refused there until added, and its incarnation is learned. An operator who starts
 * the new node and at once asks for the change may be faster than that handshake, so when the
 * transport learns incarnations (it knows one of a member of the group) and not yet the new node's,
 * the change waits for it up to {@link #WAIT_MILLIS} (polled on the engine's clock, never blocking
 * a caller); then it goes ahead without one, and peers pin the first incarnation they see.
 */
final class JoinerIncarnation {
    private static final System.Logger LOG = System.getLogger(JoinerIncarnation.class.getName());
    /** Longest wait for a new node's handshake before a change goes ahead without its incarnation. */
    static final long WAIT_MILLIS = 10_000;
    private static final long POLL_MILLIS = 20;

    private final Transport transport;
    private final ScheduledExecutorService clock;
    private final int self;

    JoinerIncarnation(Transport transport, ScheduledExecutorService clock, int self) {
        this.transport = transport;
        this.clock = clock;
        this.self = self;
    }

    /** The node {@code change} brings in without an incarnation, or null. */
    static Member unnamed(MembershipChange change) {
        Member added = change instanceof MembershipChange.Add a ? a.member()
                : change instanceof MembershipChange.Replace r ? r.member() : null;
        return added == null || added.incarnation() != null ? null : added;
    }

    /** Whether the change should wait for the new node's handshake (see the class comment). */
    boolean shouldWait(MembershipChange change, Membership inForce) {
        Member added = unnamed(change);
        if (added == null || transport.presentedIncarnation(added.nodeId()) != null) return false;
        for (Member m : inForce.members())
            if (m.nodeId() != self && transport.presentedIncarnation(m.nodeId()) != null) return true;
        return false;
    }

    /** {@code change} with the incarnation the transport knows of the node it adds (if it names none and one is known). */
    MembershipChange named(MembershipChange change) {
        Member added = unnamed(change);
        if (added == null) return change;
        String proved = transport.presentedIncarnation(added.nodeId());
        if (proved == null) {
            LOG.log(Level.INFO, "node {0} has not connected to node {1}: its incarnation is not known here; the membership"
                    + " change names none and peers pin the first they see", added.nodeId(), self);
            return change;
        }
        Member named = new Member(added.nodeId(), added.host(), added.port(), added.role(), proved);
        return change instanceof MembershipChange.Replace r ? new MembershipChange.Replace(r.oldNodeId(), named)
                : new MembershipChange.Add(named);
    }

    /**
     * {@code change} if it is no replacement of a node by itself under a new incarnation, or one
     * whose incarnation is new: another than the one {@code inForce} lists for the node and, where
     * it lists none, than the one this node counts for it ({@code pinned}: its old disk's).
     *
     * @throws IllegalArgumentException telling the operator what to do otherwise
     */
    MembershipChange checkSameId(MembershipChange change, Membership inForce, java.util.function.IntFunction<String> pinned) {
        if (!(change instanceof MembershipChange.Replace r) || r.member().nodeId() != r.oldNodeId()) return change;
        int node = r.oldNodeId();
        String proved = r.member().incarnation();
        String listed = inForce.members().stream().filter(m -> m.nodeId() == node).map(Member::incarnation)
                .filter(java.util.Objects::nonNull).findFirst().orElse(pinned.apply(node));
        if (proved == null || proved.equals(listed))
            throw new IllegalArgumentException("node " + node + " has not connected to node " + self + " under a new incarnation"
                    + (listed == null ? "" : " (it is a member as " + listed + ", its old data directory)")
                    + ": start the replacement node " + node + " with --join on a fresh data directory, with node " + self
                    + " in its members list, and repeat once it runs");
        return change;
    }

    /** Completes with {@link #named} once the new node's incarnation is known here, or after {@link #WAIT_MILLIS}. */
    CompletableFuture<MembershipChange> await(MembershipChange change) {
        CompletableFuture<MembershipChange> out = new CompletableFuture<>();
        int node = unnamed(change).nodeId();
        LOG.log(Level.INFO, "waiting up to {0} ms for node {1} to dial node {2}: the membership change records the"
                + " incarnation it proves", WAIT_MILLIS, node, self);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            if (transport.presentedIncarnation(node) != null || System.nanoTime() >= deadline) out.complete(named(change));
            else clock.schedule(poll[0], POLL_MILLIS, TimeUnit.MILLISECONDS);
        };
        try {
            clock.schedule(poll[0], POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            out.complete(named(change));
        }
        return out;
    }
}
