package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.GroupState;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.core.ProposeResult;
import paxos.impl.core.Ready;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.SystemCommand;

/**
 * Drives one group: its {@link GroupCore} on a serial event loop, its {@link GroupExecutor} on a
 * second serial queue (so a slow state machine never stalls the Paxos loop), the log writes, the
 * messages and the callers waiting for their commands. The loop is a {@link SerialExecutor}: a
 * proposal, a peer's message and a log append's completion run on the thread that brings them (the
 * caller's, the transport's event loop, the store's) when the loop is idle, instead of waking a
 * pool thread; the state machine never does (its queue only ever runs on the execution pool).
 *
 * <p><b>Order of effects</b> (the core's {@link Ready} contract): the Ready's records are appended
 * to the log store as its {@link Durability.Rule} says (production: promises and accepts synced,
 * chosen marks unsynced) and only when those appends completed are the messages sent and catch-up
 * reads served, except what {@link Early} allows at once (a leader's accepts, commits, and chosen
 * values handed to execution: facts whatever this node's disk holds). Several Readies may be in flight (up to
 * the core's bound), finished strictly in order; events that arrive meanwhile accumulate in the
 * core, which is what batches proposals and lets one fsync cover many writes (the store
 * group-commits across groups too).
 *
 * <p><b>Time and threads come from outside</b>: the executors and a {@link RuntimeClock}. The
 * engine passes thread pools and the system clock; the simulator passes its deterministic
 * scheduler, so that this very class runs inside a seeded simulation (see {@link GroupRuntime}).
 *
 * <p>A failed log write stops the group for good (state {@link GroupState#FAILED}): sending the
 * Ready's messages without durable records could break Paxos safety.
 */
final class GroupRunner implements ReadyPipeline.Host, Registrations.Host {
    private static final System.Logger LOG = System.getLogger(GroupRunner.class.getName());

    private final int group;
    private final int self;
    private final GroupCore core;
    private final GroupExecutor executor;
    private final LogStore store;
    private final SerialExecutor loop;
    /** A {@link #driveSoon} task is queued on the loop and has not started (loop only). */
    private boolean driveQueued;
    private final SerialExecutor exec;
    private final int inboundMax;
    private final AtomicInteger inboundPending = new AtomicInteger();
    /**
     * Value bytes not yet written or executed ({@link #backlogBytes}) above which catch-up replies are
     * dropped on arrival: a learner holds at most about this plus what one reply and the leader's
     * commits bring.
     */
    static final long CATCH_UP_HOLD_BYTES_MAX = 32L << 20;
    /**
     * Value bytes not yet written or executed above which the core sends no new catch-up request
     * ({@code GroupCore.holdCatchUp}): half the drop bound, so that the requests outstanding
     * (bounded by the core) arrive below it and are not dropped and asked again.
     */
    static final long CATCH_UP_REQUEST_HOLD_BYTES = CATCH_UP_HOLD_BYTES_MAX / 2;
    /**
     * Value bytes the node's groups appended and the store has not completed, above which messages
     * carrying values (accepts, catch-up replies, commits with values) are dropped on arrival: half
     * the LevelDB store's default write queue bound (64 MiB), whose refusal would stop a group, so
     * that a disk slower than the network (a lagging follower, groups catching up together) leaves
     * room for what the node's own leaders write (bounded by their windows).
     */
    static final long NODE_WRITING_DROP_BYTES = 32L << 20;
    /** Node-wide bytes on their way to disk above which no new catch-up request goes out (half the drop bound). */
    static final long NODE_WRITING_HOLD_BYTES = NODE_WRITING_DROP_BYTES / 2;
    /** Value bytes handed to the execution queue and not yet offered to the executor. */
    private final AtomicLong toExecBytes = new AtomicLong();
    /** The executor's queued bytes as of its last run; written on the exec queue. */
    private volatile long execQueuedBytes;
    private final PendingProposals pending;
    /** This node's request IDs: whether this group is open to them yet (see {@link RequestIds}). */
    private final RequestIds ids;
    /** Units proposed while the group was closed to this node's request IDs; at most {@link #HELD_MAX}. */
    private final HeldProposals held;
    static final int HELD_MAX = 10_000;
    /**
     * While the group is closed: the instance this node must have executed before it opens (its
     * own node ID's history is then in the executed-requests table), once known; {@link Long#MIN_VALUE}
     * before. Written on the loop, read on the exec queue.
     */
    private volatile long openAt = Long.MIN_VALUE;
    private final RuntimeClock clock;
    /** Durable bookkeeping (positions, master history); exec-confined. */
    private final ExecMeta meta;
    /** The state machine registrations and which one executes; exec-confined. */
    private final Registrations registrations;
    private final StateMachineRegistry registry;
    private final long proposalTimeoutMillis;
    private byte[] lastMetaWritten = new byte[0];
    /** Retention never passes this instance (a checkpoint above it is being sent); see {@link #capRetention}. */
    private volatile long retentionCap = Long.MAX_VALUE;

    /** LINEARIZABLE reads (read-index on the leader, else a barrier). */
    private final LinearizableReads reads;

    /** The Ready cycle; loop-confined. */
    private final ReadyPipeline pipeline;
    /** Membership history persisted, published, and callers of changes; loop-confined. */
    private final MembershipChanges membership;

    // published for status(), written by one thread each
    private volatile long chosenUpTo = -1;
    private volatile int leaderId;
    private volatile boolean quorumReachable = true;
    private volatile int inFlight;
    private volatile int queued;
    private volatile String failure;
    private volatile GroupState state = GroupState.RUNNING;
    /** Execution's published state; written on the exec queue. */
    private final ExecStatus status;
    private final Map<Integer, Long> peerChosen = new ConcurrentHashMap<>();
    private final Map<Integer, Long> peerReportNanos = new ConcurrentHashMap<>(); // when peerChosen was last reported

    /**
     * @param loopPool threads shared by every group's event loop
     * @param execPool threads shared by every group's execution
     * @param io serves peers' catch-up reads from the store (paced; see {@link CatchUpServer})
     * @param requestIds this node incarnation's request ID sequence (unique across restarts), shared by
     *     the runners that replace one another after a checkpoint install
     */
    GroupRunner(int group, int self, GroupCore core, GroupExecutor executor, LogStore store, Outbound outbound,
                Executor loopPool, Executor execPool, CatchUpServer io, int inboundMax, RequestIds requestIds, ExecMeta meta,
                StateMachineRegistry registry, long proposalTimeoutMillis) {
        this(group, self, core, executor, store, outbound, loopPool, execPool, io, inboundMax, requestIds, meta, registry,
                proposalTimeoutMillis, RuntimeClock.SYSTEM, Durability.Rule.PRODUCTION, Early.PRODUCTION);
    }

    /**
     * @param clock time and timers (production: {@link RuntimeClock#SYSTEM})
     * @param durability which records are synced before a Ready's effects (production:
     *     {@link Durability.Rule#PRODUCTION}; anything else is a broken build for the simulator)
     */
    GroupRunner(int group, int self, GroupCore core, GroupExecutor executor, LogStore store, Outbound outbound,
                Executor loopPool, Executor execPool, CatchUpServer io, int inboundMax, AtomicLong requestIds, ExecMeta meta,
                StateMachineRegistry registry, long proposalTimeoutMillis, RuntimeClock clock, Durability.Rule durability) {
        this(group, self, core, executor, store, outbound, loopPool, execPool, io, inboundMax, RequestIds.open(requestIds), meta,
                registry, proposalTimeoutMillis, clock, durability, Early.PRODUCTION);
    }

    /**
     * @param early which effects of a Ready go before it is durable (production: {@link Early#PRODUCTION};
     *     anything else is a broken build for the simulator)
     */
    GroupRunner(int group, int self, GroupCore core, GroupExecutor executor, LogStore store, Outbound outbound,
                Executor loopPool, Executor execPool, CatchUpServer io, int inboundMax, RequestIds requestIds, ExecMeta meta,
                StateMachineRegistry registry, long proposalTimeoutMillis, RuntimeClock clock, Durability.Rule durability,
                Early early) {
        this.meta = meta;
        this.registry = registry;
        this.proposalTimeoutMillis = proposalTimeoutMillis;
        executor.versionsInForce().forEach((id, v) -> registry.noteVersionInForce(group, id, v));
        this.group = group;
        this.self = self;
        this.core = core;
        this.executor = executor;
        this.store = store;
        this.inboundMax = inboundMax;
        this.ids = requestIds;
        this.clock = clock;
        this.held = new HeldProposals(group, HELD_MAX, clock);
        this.pending = new PendingProposals(group, self, requestIds.sequence(), clock);
        executor.awaitedBy(pending::awaits);
        Thread.UncaughtExceptionHandler onError = (t, e) -> fail("internal error: " + e);
        this.loop = new SerialExecutor(loopPool, onError);
        this.exec = new SerialExecutor(execPool, onError);
        this.status = new ExecStatus(group, executor, meta, clock);
        this.chosenUpTo = core.chosenUpTo();
        this.membership = new MembershipChanges(group, core);
        this.pipeline = new ReadyPipeline(group, core, store, outbound, io, loop, durability, early, this);
        this.registrations = new Registrations(group, executor, store, meta, clock, this);
        this.reads = new LinearizableReads(group, self, clock, loop, exec, executor::executedInstance,
                (commands, timeout) -> propose(commands, timeout).get(0));
    }

    /** Ready cycle: hands chosen values to execution. */
    @Override
    public void apply(List<ChosenValue> values) {
        long bytes = 0;
        for (ChosenValue v : values) bytes += v.value().length;
        long handed = bytes;
        toExecBytes.addAndGet(handed);
        exec.execute(() -> {
            for (ChosenValue v : values) executor.offer(v);
            toExecBytes.addAndGet(-handed);
            runExecutor();
        });
    }

    /**
     * Value bytes chosen here and not yet executed, on their way to execution or queued there
     * (the learner's backlog); any thread, a snapshot.
     */
    long unexecutedBytes() {
        return toExecBytes.get() + execQueuedBytes;
    }

    /**
     * Value bytes chosen or accepted here that are still on their way to disk or to execution: the
     * learner's backlog, on which catch-up is held ({@link #CATCH_UP_REQUEST_HOLD_BYTES}) and
     * replies dropped ({@link #CATCH_UP_HOLD_BYTES_MAX}). The larger of the two, not their sum: a
     * chosen value goes to execution while its Ready is still being written ({@code Early.applyEarly}),
     * one array counted on both sides; the heap they hold is at most twice this. Any thread, a snapshot.
     */
    long backlogBytes() {
        return Math.max(unexecutedBytes(), pipeline.writingBytes());
    }

    /** Messages whose values this node would append: what {@link #NODE_WRITING_DROP_BYTES} drops. */
    private static boolean carriesValues(Message m) {
        return m instanceof Message.Accept || m instanceof Message.CatchUpReply
                || (m instanceof Message.Commit c && c.value() != null);
    }

    /** Whether new catch-up requests wait: half the bounds on which replies are dropped. */
    private boolean holdsCatchUp() {
        return backlogBytes() > CATCH_UP_REQUEST_HOLD_BYTES || pipeline.nodeWritingBytes() > NODE_WRITING_HOLD_BYTES;
    }

    /**
     * Counts this group's appends in {@code nodeWriting}, shared by the node's groups, so that peers'
     * values are dropped and catch-up held on the node's disk as a whole ({@link #NODE_WRITING_DROP_BYTES}).
     * Right after construction.
     */
    void countNodeWritesIn(AtomicLong nodeWriting) {
        pipeline.countNodeWritesIn(nodeWriting);
    }

    /** Ready cycle: one pass done. */
    @Override
    public void driven() {
        publishLoop();
        reads.released(core.drainReads());
    }

    /**
     * A LINEARIZABLE read barrier: completes with an executed instance once everything chosen
     * before this call executed here (see {@link LinearizableReads}); fails with
     * {@link paxos.api.ProposalTimeoutException} after {@code timeoutMillis}.
     */
    CompletableFuture<Long> readBarrier(long timeoutMillis) {
        String why = failure;
        if (why != null) return CompletableFuture.failedFuture(new GroupUnavailableException("group " + group + " failed: " + why));
        return reads.read(timeoutMillis, leaderId != 0, id -> {
            boolean registered = core.read(id);
            pipeline.drive();
            return registered;
        });
    }

    /** Registrations: proposes a first activation. */
    @Override
    public void proposeActivation(int id, String version) {
        propose(List.of(new BatchCommand(0, paxos.api.Proposal.NO_MASTER_CONDITION, self, 0,
                Registrations.firstActivation(id, version))), proposalTimeoutMillis);
    }

    int group() {
        return group;
    }

    // ------------------------------------------------------------------ inputs (any thread)

    /**
     * Queues one unit of commands that must share an instance; returns one future per command.
     * {@code commands} carry request ID 0: this method assigns them, except while the group is
     * closed to this node's request IDs ({@link RequestIds}): then the unit waits unnumbered
     * (within its timeout) until the group opens, or fails at once if this node votes nowhere here.
     */
    List<CompletableFuture<ExecOutcome.Completed>> propose(List<BatchCommand> commands, long timeoutMillis) {
        if (!ids.isOpen(group) && failure == null) return proposeClosed(commands, timeoutMillis);
        return proposeNumbered(commands, timeoutMillis);
    }

    /**
     * A unit proposed while this group is closed to this node's request IDs: refused as the core
     * would if this node is no voter (nothing to wait for), else held unnumbered until the group
     * opens (decided on the loop, where {@link #releaseHeld} runs: none is left behind).
     */
    private List<CompletableFuture<ExecOutcome.Completed>> proposeClosed(List<BatchCommand> commands, long timeoutMillis) {
        HeldProposals.Unit u = new HeldProposals.Unit(List.copyOf(commands), timeoutMillis, clock.nanoTime(),
                HeldProposals.futures(commands.size()));
        loop.execute(() -> {
            if (ids.isOpen(group) || failure != null) {
                release(u);
            } else if (!core.isVoterNow()) {
                fail(u, new paxos.api.NotMemberException("node " + self + " is not a voter of group " + group));
            } else if (!held.hold(u)) {
                fail(u, new paxos.api.OverloadedException("group " + group + ": " + HELD_MAX + " proposals wait for this"
                        + " node to execute the group's history of its node ID (a new data directory)"));
            }
        });
        return u.futures();
    }

    private static void fail(HeldProposals.Unit u, paxos.api.PaxosException e) {
        for (CompletableFuture<ExecOutcome.Completed> f : u.futures()) f.completeExceptionally(e);
    }

    /** Numbers and proposes a held unit, within what is left of its timeout; its callers get the outcome. */
    private void release(HeldProposals.Unit u) {
        if (u.done()) return;
        long left = u.timeoutMillis() - (clock.nanoTime() - u.heldAtNanos()) / 1_000_000L;
        List<CompletableFuture<ExecOutcome.Completed>> inner = proposeNumbered(u.commands(), Math.max(1, left));
        for (int i = 0; i < inner.size(); i++) {
            CompletableFuture<ExecOutcome.Completed> outer = u.futures().get(i);
            inner.get(i).whenComplete((v, e) -> {
                if (e == null) outer.complete(v);
                else outer.completeExceptionally(e);
            });
        }
    }

    /** Loop: the group opened; proposes what waited for it, oldest first. */
    private void releaseHeld() {
        for (HeldProposals.Unit u : held.drain()) release(u);
    }

    /** Loop, while closed: fixes the instance to execute before opening, once it can be told ({@link RequestIds#openingInstance}). */
    private void aimOpening() {
        if (openAt != Long.MIN_VALUE || !core.isVoterNow()) return;
        openAt = RequestIds.openingInstance(membership.inForce(), self, peerChosen);
    }

    /** Exec queue: opens the group once the instance {@link #aimOpening} fixed has executed here. */
    private void openIfCaughtUp() {
        long at = openAt;
        if (ids.isOpen(group) || at == Long.MIN_VALUE || executor.executedInstance() < at) return;
        long highest = executor.highestExecutedRequest(self);
        ids.openAbove(group, highest);
        // INFO only where this node ID has a history (a former incarnation): a new cluster's first start says nothing
        LOG.log(highest > 0 ? Level.INFO : Level.DEBUG, "group {0}: request IDs checked against the executed history of"
                + " node {1} (up to instance {2}, highest executed ID {3}); this node proposes from ID {4}", group, self,
                executor.executedInstance(), highest, ids.sequence().get());
        loop.execute(this::releaseHeld);
    }

    private List<CompletableFuture<ExecOutcome.Completed>> proposeNumbered(List<BatchCommand> commands, long timeoutMillis) {
        List<BatchCommand> numbered = new ArrayList<>(commands.size());
        String why = failure;
        List<CompletableFuture<ExecOutcome.Completed>> futures = pending.open(commands, timeoutMillis, why, numbered);
        if (why != null) return futures;
        // on the proposing thread while the loop is idle: it waits for the outcome anyway, and a pool
        // thread's wake-up cost as much as the proposal's own work (bench cluster, C=1)
        loop.executeHere(() -> {
            ProposeResult r = core.propose(numbered);
            if (r instanceof ProposeResult.Refused refused) {
                for (BatchCommand c : numbered) pending.fail(c.requestId(), refused.toException());
            }
            membership.afterCore(core);
            driveSoon();
        });
        return futures;
    }

    /** A message from a peer (already decoded and checked against the sender), not checked for its incarnation. */
    void receive(Message m) {
        receive(m, null, null);
    }

    /**
     * A message from a peer (already decoded and checked against the sender) that presented
     * {@code incarnation}; {@code gate} (if not {@code null}) drops it on the loop if it is a vote
     * from an incarnation the group's memberships do not name.
     */
    void receive(Message m, String incarnation, IncarnationGate gate) {
        // the disk's bound: while the node's appends lag this far, values from peers wait (lost messages
        // to Paxos: the leader sends accepts again, a learner asks again), so that a disk slower than the
        // network never fills the store's write queue, whose refusal would stop the group
        if (carriesValues(m) && pipeline.nodeWritingBytes() > NODE_WRITING_DROP_BYTES) return;
        // the learner's bound: while the disk or execution lags this far, new catch-up values wait (the
        // core asks again after its retransmit timeout), so a slow state machine never piles the log up
        if (m instanceof Message.CatchUpReply && backlogBytes() > CATCH_UP_HOLD_BYTES_MAX) return;
        if (inboundPending.incrementAndGet() > inboundMax) { // Paxos retransmits; the heap must not grow
            inboundPending.decrementAndGet();
            return;
        }
        // on the transport's event loop while the group's loop is idle (never blocks: see SerialExecutor)
        loop.executeHere(() -> {
            inboundPending.decrementAndGet();
            if (gate != null && !gate.admits(m, incarnation, core)) return;
            notePeer(m);
            core.holdCatchUp(holdsCatchUp());
            core.step(m);
            membership.afterCore(core);
            driveSoon();
        });
    }

    /**
     * Runs the Ready cycle once the tasks already queued on the loop ran (loop only): proposals and
     * messages that arrived together are stepped first, then one Ready carries them all — one append,
     * fuller batches (the core cuts batches when asked for a Ready). Measured with {@code bench
     * cluster}: see the README's "What the runtime does for speed".
     */
    private void driveSoon() {
        if (driveQueued) return;
        driveQueued = true;
        loop.execute(() -> {
            driveQueued = false;
            pipeline.drive();
        });
    }

    /** One clock tick. */
    void tick() {
        loop.execute(() -> {
            core.holdCatchUp(holdsCatchUp());
            core.tick();
            membership.afterCore(core);
            pipeline.drive();
            if (!ids.isOpen(group)) {
                aimOpening();
                if (openAt != Long.MIN_VALUE) exec.execute(this::openIfCaughtUp);
            }
        });
    }

    /**
     * Adds a registration in force (one per ID and version; versions side by side). The executor
     * gets the one of the version in force in the log (before any activation: the oldest, whose
     * version this node then proposes to activate); execution resumes if it waited for it.
     */
    void register(StateMachineRegistry.Registration reg) {
        exec.execute(() -> {
            registrations.add(reg);
            runExecutor();
        });
    }

    /**
     * Removes exactly this registration (a refused or replaced one changes nothing); instances
     * needing its ID wait. Completes once no call to it is running.
     */
    CompletableFuture<Void> unregister(StateMachineRegistry.Registration reg) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        exec.execute(() -> {
            if (reg != null) registrations.remove(reg);
            runExecutor();
            done.complete(null);
        });
        return done;
    }

    /**
     * Proposes an operator's activation of {@code version} for {@code id} (unconditional); completes
     * with the version in force after it executed here.
     */
    CompletableFuture<ExecOutcome.Completed> activate(int id, String version) {
        byte[] cmd = new SystemCommand.ActivateVersion(id, version, SystemCommand.ActivateVersion.ANY).encode();
        return propose(List.of(new BatchCommand(0, paxos.api.Proposal.NO_MASTER_CONDITION, self, 0, cmd)),
                proposalTimeoutMillis).get(0);
    }

    /**
     * Proposes one membership change (see {@link paxos.api.PaxosNode#changeMembership}); completes
     * with the membership in force once it is in force here.
     *
     * @throws paxos.api.ConflictException while another change is chosen but not in force
     * @throws IllegalArgumentException if the change does not apply to the latest membership
     */
    CompletableFuture<paxos.api.Membership> changeMembership(paxos.api.MembershipChange change) {
        CompletableFuture<paxos.api.Membership> done = new CompletableFuture<>();
        proposeChange(membership.command(change, chosenUpTo).encode(), change, done, true);
        return done;
    }

    private void proposeChange(byte[] cmd, paxos.api.MembershipChange change, CompletableFuture<paxos.api.Membership> done,
                               boolean mayRepeat) {
        propose(List.of(new BatchCommand(0, paxos.api.Proposal.NO_MASTER_CONDITION, self, 0, cmd)), proposalTimeoutMillis)
                .get(0).whenComplete((c, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else if (c.instance() == 0 && mayRepeat) {
                        // instance 0 never changes the membership (ConfigTracker): a change that was a
                        // group's first command was a no-op everywhere; propose it once more
                        try {
                            proposeChange(membership.command(change, chosenUpTo).encode(), change, done, false);
                        } catch (RuntimeException refused) {
                            done.completeExceptionally(refused);
                        }
                    } else {
                        loop.execute(() -> membership.await(core, c.instance(), done));
                    }
                });
    }

    /** The membership history as last persisted ({@code null} before the first write); any thread. */
    byte[] membershipHistory() {
        return membership.history();
    }

    /**
     * Tells {@code listener} this group's membership in force and latest one now and whenever they
     * change (on the group's loop; it must not block). Call before the runner receives anything.
     */
    void onMembership(MembershipChanges.Listener listener) {
        membership.listen(listener);
    }

    /** The peers catch-up may ask (members of the memberships in force and pending, not this node); any thread. */
    List<Integer> catchUpPeers() {
        return membership.catchUpPeers();
    }

    /** The latest decided membership (in force, or chosen and pending); any thread. */
    paxos.api.Membership latestMembership() {
        return membership.latest();
    }

    /** The membership in force for this node's next instance; any thread. */
    paxos.api.Membership membershipInForce() {
        return membership.inForce();
    }

    /**
     * Stops executing state machine {@code id} (it stays registered and named; instances that carry
     * commands for it wait), then runs {@code then} on the execution queue. A diverged state
     * machine is halted so; a rebuilt runner (after a checkpoint install) executes it again.
     */
    void stopExecuting(int id, Runnable then) {
        exec.execute(() -> {
            executor.unregister(id);
            publishExec();
            then.run();
        });
    }

    /** Runs {@code task} on the execution queue (after everything executed so far). */
    void onExecThread(Runnable task) {
        exec.execute(task);
    }

    // ------------------------------------------------------------------ the Ready cycle (loop)

    // ------------------------------------------------------------------ execution (exec queue)

    private void runExecutor() {
        List<ExecOutcome> outcomes = new ArrayList<>();
        boolean again = true;
        while (again) {
            List<ExecOutcome> ran = executor.run();
            execQueuedBytes = executor.queuedBytes();
            status.record(ran, executor, meta);
            meta.requests().noteExecuted(executor.drainExecutedRequests());
            outcomes.addAll(ran);
            again = false;
            for (GroupExecutor.VersionEntry v : executor.drainVersionEntries()) {
                meta.addVersion(v.instance(), v.stateMachineId(), v.version());
                registry.noteVersionInForce(group, v.stateMachineId(), v.version());
                LOG.log(Level.INFO, "group {0}: state machine {1} version {2} in force from instance {3}", group,
                        v.stateMachineId(), v.version(), v.instance() + 1);
                again |= registrations.reconcile(v.stateMachineId()); // a switch: the new version takes over where the old one stopped
            }
        }
        // published before any caller completes: a caller that saw its claim (or write) executed
        // must see this node's master and position at least as far (e.g. "current" master version)
        publishExec();
        pending.complete(outcomes);
        if (!ids.isOpen(group)) openIfCaughtUp();
    }

    /**
     * Periodic bookkeeping on the execution queue: records every state machine's checkpoint
     * position and the master history durably, and lets the store delete the log more than
     * {@code holdLogCount} instances behind the lowest position (never past what a state machine,
     * deployed or not, still needs).
     */
    void housekeeping(long holdLogCount) {
        exec.execute(() -> {
            registrations.notePositions();
            if (registrations.reconcileAll()) runExecutor(); // retries a lost first activation
            meta.pruneMasters();
            meta.pruneVersions();
            meta.replayFrom().ifPresent(meta.requests()::advanceTo);
            byte[] bytes = meta.encode();
            if (!java.util.Arrays.equals(bytes, lastMetaWritten)) {
                lastMetaWritten = bytes;
                store.append(List.of(new paxos.api.spi.log.LogRecord.Meta(group, ExecMeta.KEY, bytes)));
            }
            meta.replayFrom().ifPresent(from -> {
                long keepFrom = Math.min(from - holdLogCount, retentionCap);
                if (keepFrom > 0) store.retainFrom(group, keepFrom);
            });
        });
    }

    /** Keeps the log from {@code minInstance} on, whatever the hold count says ({@code Long.MAX_VALUE}: no cap). */
    void capRetention(long minInstance) {
        retentionCap = minInstance;
    }

    /** The master in force just after {@code instance}, as far as this node executed and remembers. */
    CompletableFuture<MasterInfo> masterAt(long instance) {
        return executedAt(instance, executor::master, () -> meta.masterBefore(instance + 1));
    }

    /** The state machine versions in force just after {@code instance}, as far as this node executed and remembers. */
    CompletableFuture<Map<Integer, String>> versionsAt(long instance) {
        return executedAt(instance, executor::versionsInForce, () -> meta.versionsBefore(instance + 1));
    }

    /**
     * The executed-requests table just after {@code instance}, exactly: fails if this node can no
     * longer tell it (see {@link DedupHistory#tableAfter}).
     */
    CompletableFuture<Map<Integer, java.util.NavigableMap<Long, Long>>> requestsAt(long instance) {
        return executedAt(instance, executor::executedRequests, () -> meta.requests().tableAfter(instance));
    }

    /** On the execution queue: {@code now} if {@code instance} is the executed position, {@code past} below it. */
    private <T> CompletableFuture<T> executedAt(long instance, java.util.function.Supplier<T> now,
                                                java.util.function.Supplier<T> past) {
        CompletableFuture<T> out = new CompletableFuture<>();
        exec.execute(() -> {
            if (instance == executor.executedInstance()) out.complete(now.get());
            else if (instance > executor.executedInstance()) out.completeExceptionally(
                    new IllegalStateException("instance " + instance + " is not executed here yet"));
            else {
                try {
                    out.complete(past.get());
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            }
        });
        return out;
    }

    /** Last checkpoint position reported per state machine; for status. */
    Map<Integer, Long> positions() {
        return Map.copyOf(meta.positions());
    }

    private void publishExec() {
        status.publish(executor);
        reads.executed();
        String f = executor.failure();
        if (f != null && failure == null) fail(f);
    }

    /** Writes only what changed: a volatile write costs a fence, and most passes change nothing. */
    private void publishLoop() {
        long c = core.chosenUpTo();
        if (c != chosenUpTo) chosenUpTo = c;
        int l = core.leaderId();
        if (l != leaderId) leaderId = l;
        boolean reach = core.quorumReachable();
        if (reach != quorumReachable) quorumReachable = reach;
        int f = core.inFlightCount();
        if (f != inFlight) inFlight = f;
        int q = core.queuedCount();
        if (q != queued) queued = q;
    }

    private void notePeer(Message m) {
        long c = chosenOf(m);
        // the latest report, not the highest: a peer whose disk was wiped comes back at -1, and a
        // remembered 66 would keep the checkpoint trigger waiting for a log it no longer has (seed 5147)
        if (c >= -1) peerChosen.put(m.from(), c);
        if (c >= -1) peerReportNanos.put(m.from(), System.nanoTime());
    }

    private static long chosenOf(Message m) {
        if (m instanceof Message.Heartbeat h) return h.chosenUpTo();
        if (m instanceof Message.Accept a) return a.chosenUpTo();
        if (m instanceof Message.Commit c) return c.chosenUpTo();
        if (m instanceof Message.Promise p) return p.chosenUpTo();
        if (m instanceof Message.CatchUpReply r) return r.chosenUpTo();
        return -2;
    }

    // ------------------------------------------------------------------ failures

    /** Stops the group for good: no more sends, every waiting caller fails. */
    @Override
    public void fail(String why) {
        if (failure != null) return;
        failure = why;
        state = GroupState.FAILED;
        LOG.log(Level.ERROR, "group {0} stopped: {1}", group, why);
        pending.failAll(() -> new GroupUnavailableException("group " + group + " failed: " + why));
        reads.failAll(() -> new GroupUnavailableException("group " + group + " failed: " + why));
        held.failAll(() -> new GroupUnavailableException("group " + group + " failed: " + why));
    }

    /**
     * Takes this runner out of service (the engine replaces it after installing a checkpoint):
     * it stops writing and sending, and waiting callers fail. Not an error, so no error log.
     */
    void retire(String why) {
        if (failure != null) return;
        failure = why;
        pending.failAll(() -> new GroupUnavailableException(why + "; retry"));
        reads.failAll(() -> new GroupUnavailableException(why + "; retry"));
        held.failAll(() -> new GroupUnavailableException(why + "; retry"));
    }

    /** Fails every waiting caller (node shutdown). */
    /** See {@link PendingProposals#afterEarlier}: for LEASE reads. Any thread. */
    <T> CompletableFuture<T> afterEarlierProposals(java.util.function.Supplier<CompletableFuture<T>> next) {
        return pending.afterEarlier(next);
    }

    void close() {
        state = GroupState.STOPPED;
        pending.failAll(() -> new GroupUnavailableException("node is shutting down"));
        reads.failAll(() -> new GroupUnavailableException("node is shutting down"));
        held.failAll(() -> new GroupUnavailableException("node is shutting down"));
    }

    // ------------------------------------------------------------------ status (any thread)

    @Override
    public long chosenUpTo() { return chosenUpTo; }
    int leaderId() { return leaderId; }

    /** The core's view as of its last step or tick: see {@code GroupCore.quorumReachable} and {@link QuorumWatch}. */
    boolean quorumReachable() { return quorumReachable; }
    int inFlight() { return inFlight; }
    int queued() { return queued; }
    long executed() { return status.executed(); }
    MasterInfo master() { return status.master(); }
    long leaseEntry() { return status.leaseEntry(); }
    long leaseEntryExecutedNanos() { return status.leaseEntryExecutedNanos(); }
    List<Integer> waitingFor() { return status.waitingFor(); }
    @Override
    public String failure() { return failure; }
    long instancesExecuted() { return status.instancesExecuted(); }
    long commandsExecuted() { return status.commandsExecuted(); }
    Map<Integer, Long> peerChosen() { return Map.copyOf(peerChosen); }
    Map<Integer, Long> peerReportAgeMillis() { return ReportAge.millisSince(peerReportNanos); }
    /** The registrations in force, by ID. */
    Map<Integer, StateMachineRegistry.Registration> registered() { return registrations.registered(); }
    /** {@code "id@version"} for each waiting ID whose version in force is not executable here. */
    List<String> waitingForVersions() { return status.waitingForVersions(); }
    /** Per ID, the version in force in the log as executed here (absent: none activated). */
    Map<Integer, String> versionsInForce() { return status.versionsInForce(); }
    /** State machines whose execute threw here, by ID, with why. */
    Map<Integer, String> failedMachines() { return status.failedMachines(); }

    GroupState state() {
        GroupState s = state;
        if (s == GroupState.RUNNING && !status.waitingFor().isEmpty()) return GroupState.WAITING;
        return s;
    }
}
