package paxos.api;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A handle on one running node of the cluster: propose values to its groups, wait for read
 * barriers, look at status. Implemented by the engine; in OSGi it is registered as a service
 * while the node is running, and the embedded node returns it from its builder.
 *
 * <p><b>Threads.</b> Every method may be called from any thread and never blocks on the network
 * or the disk: proposals are queued on the group's event loop and the returned stage completes
 * later, on an engine thread. Callbacks attached to the stages must not block; hand long work to
 * an executor of your own ({@code thenApplyAsync(fn, executor)}).
 *
 * <p><b>Ordering.</b> Two proposals to the same group submitted by one thread, where the second is
 * submitted after the first call returned, are chosen in submission order unless the first fails.
 * Proposals to different groups are not ordered with respect to each other.
 *
 * <p><b>Failures.</b> The returned stages complete exceptionally with a {@link PaxosException}
 * subclass. {@link ProposalTimeoutException} is the one failure that leaves the outcome unknown.
 * Arguments that break a documented range ({@code group} outside {@code [0, groupCount)}, a null
 * value, a reserved state machine ID) throw {@link IllegalArgumentException} synchronously:
 * they are programming errors, not cluster conditions.
 */
@ProviderType
public interface PaxosNode {

    /** This node's ID within the cluster, as configured ({@code 1..65535}). */
    int nodeId();

    /** Number of groups this node serves; group IDs are {@code 0 .. groupCount()-1}. */
    int groupCount();

    /** The largest value, in bytes, one command may carry on this node. */
    int maxValueBytes();

    /**
     * Proposes one value. The engine may pack it with other queued proposals of the same group
     * into one instance (batching); the result says where it landed.
     *
     * @return completes with the value's position and the state machine's result on this node
     *     once the value has been chosen and executed <em>here</em>; or exceptionally with
     *     {@link ProposalTimeoutException}, {@link ValueTooLargeException},
     *     {@link OverloadedException}, {@link NotMemberException},
     *     {@link MasterChangedException}, {@link ConflictException},
     *     {@link UnknownStateMachineException} (no state machine with that ID is registered for
     *     the group on this node: refused before entering the log) or
     *     {@link GroupUnavailableException}.
     */
    CompletionStage<Proposed> propose(Proposal proposal);

    /** Convenience for {@code propose(Proposal.of(group, stateMachineId, value))}. */
    default CompletionStage<Proposed> propose(int group, int stateMachineId, byte[] value) {
        return propose(Proposal.of(group, stateMachineId, value));
    }

    /**
     * Proposes several values that must share one instance: they are chosen together or not at
     * all, and executed in list order, at indexes {@code k, k+1, ...} of that instance (other
     * proposals may share the instance before or after them). Each element's stage completes on
     * its own, with its own result. All proposals must name the same group; the total must fit
     * the group's batch byte limit or every stage fails with {@link ValueTooLargeException}; if
     * one names a state machine ID not registered for the group on this node, every stage fails
     * with {@link UnknownStateMachineException} and nothing is proposed.
     */
    List<CompletionStage<Proposed>> proposeAll(List<Proposal> proposals);

    /**
     * Waits until this node may serve a read of {@code group} at the given consistency, and
     * completes with the instance up to which (inclusive) the local state machines have then
     * executed. The caller reads its local state machine after the stage completes, on any
     * thread; the state machine must make reads thread-safe with respect to execute.
     *
     * <ul>
     *   <li>{@link ReadConsistency#LINEARIZABLE}: a barrier confirmed by a quorum; no clock
     *       assumption; usable on any node. It sees every write acknowledged (on any node) before
     *       it was called. Implementations may serve it without writing to the log (the
     *       engine's is a read-index of the Paxos leader, asked by a follower with one message,
     *       with a no-op command through the log as the fallback).</li>
     *   <li>{@link ReadConsistency#LEASE}: only on the master, only while its lease is valid,
     *       and only after it executed every instance chosen before its term began; otherwise
     *       fails with {@link NotMasterException}.</li>
     *   <li>{@link ReadConsistency#STALE}: completes at once with the local executed position.</li>
     * </ul>
     */
    CompletionStage<Long> readBarrier(int group, ReadConsistency consistency);

    /** A snapshot of the group's state on this node; cheap, never blocks. */
    GroupStatus status(int group);

    /**
     * The master in force at this node's executed position of {@code group}
     * ({@link MasterInfo#NONE} if none was ever elected). The version is a pure function of the
     * log: every replica that executed up to the same instance reports the same value.
     */
    MasterInfo master(int group);

    /**
     * Proposes this node as master of {@code group} through a system command. The claim is
     * decided by the engine at the command's log position: it succeeds iff the master version in
     * force there equals {@code expectedVersion}; the new version is then the claim's instance ID.
     * The lease itself is measured by the caller on its monotonic clock (counted from before this
     * call). Used by the election plugin; applications use {@link Proposal#conditionalOnMaster}.
     *
     * @return the master in force after the claim executed (this node on success);
     *     {@link MasterChangedException} if the expected version was no longer in force
     */
    CompletionStage<MasterInfo> claimMaster(int group, long expectedVersion, long leaseMillis);

    /**
     * Activates {@code version} of state machine {@code stateMachineId} in every group of this
     * node where that ID is registered, by proposing a system command to each: from the instance
     * after the command on, every replica executes that ID only with a registration of exactly
     * that version, and a replica without one waits (status names {@code id@version}) instead of
     * executing with other code. Installing a version changes nothing by itself; this does.
     * Unconditional (the last activation chosen wins); the automatic first activation of an ID is
     * the engine's own.
     *
     * <p>The default implementation fails every group: implementations that do not support versions.
     *
     * @param version {@code 1..64} characters of {@code [0-9A-Za-z._+-]}
     * @return per group where the ID is registered here, a stage completing with the version in
     *     force after the command executed on this node; {@link UnknownStateMachineException} for a
     *     group where this node has no registration of that version (nothing is proposed there), or
     *     the usual proposal failures (e.g. {@link ProposalTimeoutException}); an empty map if the ID
     *     is registered in no group here
     * @throws IllegalArgumentException for an ID outside {@code 1..65535} or a malformed version
     */
    default java.util.Map<Integer, CompletionStage<String>> activateVersion(int stateMachineId, String version) {
        throw new UnsupportedOperationException("this PaxosNode does not support state machine versions");
    }

    /**
     * Every other member of the cluster, its liveness ({@link PeerInfo#reachable()}, from the last
     * thing heard from it) and connection state; cheap, never blocks, any thread.
     */
    List<PeerInfo> peers();

    /**
     * The group's membership in force as executed on this node: its {@link Membership#configVersion()}
     * is the log instance of the change that made it ({@code 0}: the bootstrap membership from
     * configuration). Cheap, never blocks, any thread.
     */
    Membership membership(int group);

    /**
     * Proposes one membership change in one group (operators apply a change to every group by
     * calling this once per group; each group logs its own change). Any thread; never blocks. The
     * change is forwarded to the group's leader like a proposal and chosen in the group's log; every
     * replica applies it at the same instance. A change chosen at instance {@code i} comes into force
     * at a later instance fixed by the engine's pipeline window, so no instance is ever decided by
     * quorums of two configurations.
     *
     * <p>One change at a time per group: while one is chosen but not yet in force, another fails with
     * {@link ConflictException}. A change that does not apply to the membership in force (unknown or
     * duplicate node, removing or demoting the last voters, a result with fewer than a quorum of the
     * current voters reachable) fails with {@link IllegalArgumentException} and changes nothing.
     * An added member takes part in quorums only once it has caught up to the change that added it.
     *
     * @return a stage completing with the membership in force once the change is in force on this
     *     node, or failing with {@link IllegalArgumentException}, {@link ConflictException},
     *     {@link NotMemberException}, {@link GroupUnavailableException}, {@link ProposalTimeoutException}
     * @throws IllegalArgumentException for a group outside {@code 0..groupCount()-1}
     */
    default CompletionStage<Membership> changeMembership(int group, MembershipChange change) {
        throw new UnsupportedOperationException("this PaxosNode does not support membership changes");
    }
}
