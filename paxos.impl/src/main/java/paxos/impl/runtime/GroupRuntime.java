package paxos.impl.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import paxos.api.GroupState;
import paxos.api.MasterInfo;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.GroupExecutor;

/**
 * The production runtime of one group ({@link GroupRunner}: the Ready cycle, execution, waiting
 * callers, registrations and version activation) behind a narrow public face, <b>for the engine
 * and the simulator</b>: the simulator builds one per group with its deterministic executors,
 * clock, simulated {@link LogStore} and network, so that it tests this code and not a copy.
 *
 * <p><b>Threads.</b> Every method may be called from any thread; the runner confines its state
 * to the executors given at {@link #create}.
 */
public final class GroupRuntime {
    private final GroupRunner runner;

    private GroupRuntime(GroupRunner runner) {
        this.runner = runner;
    }

    /**
     * A runner for {@code core} and {@code executor} (which it owns from now on).
     *
     * @param loop runs the group's event loop tasks (serialized by the runner)
     * @param exec runs the group's execution tasks (serialized by the runner)
     * @param io runs catch-up reads from {@code store}
     * @param requestIds request ID sequence, unique per node incarnation
     * @param proposalTimeoutMillis how long the runner's own activation proposals wait
     * @param clock time and timers
     * @param durability which records are synced before a Ready's effects ({@link Durability.Rule#PRODUCTION})
     */
    public static GroupRuntime create(int group, int self, GroupCore core, GroupExecutor executor, LogStore store,
                                      Consumer<Message> outbound, Executor loop, Executor exec, Executor io,
                                      AtomicLong requestIds, long proposalTimeoutMillis, RuntimeClock clock,
                                      Durability.Rule durability) {
        return create(group, self, core, executor, store, outbound, loop, exec, io, requestIds, proposalTimeoutMillis,
                clock, durability, Early.PRODUCTION);
    }

    /** As above, with the rule of which effects go before a Ready is durable ({@link Early#PRODUCTION}). */
    public static GroupRuntime create(int group, int self, GroupCore core, GroupExecutor executor, LogStore store,
                                      Consumer<Message> outbound, Executor loop, Executor exec, Executor io,
                                      AtomicLong requestIds, long proposalTimeoutMillis, RuntimeClock clock,
                                      Durability.Rule durability, Early early) {
        return create(group, self, core, executor, store, outbound, loop, exec, io, RequestIds.open(requestIds),
                proposalTimeoutMillis, clock, durability, early);
    }

    /**
     * As above, numbering with the node's {@link RequestIds} (one per node start, shared by its
     * groups and their rebuilt runtimes): a group closed to them holds proposals until this node
     * executed the group's history of its node ID.
     */
    public static GroupRuntime create(int group, int self, GroupCore core, GroupExecutor executor, LogStore store,
                                      Consumer<Message> outbound, Executor loop, Executor exec, Executor io,
                                      RequestIds requestIds, long proposalTimeoutMillis, RuntimeClock clock,
                                      Durability.Rule durability, Early early) {
        return new GroupRuntime(new GroupRunner(group, self, core, executor, store, outbound::accept, loop, exec,
                CatchUpServer.unpaced(io), 10_000, requestIds, ExecMeta.empty(), new StateMachineRegistry(), proposalTimeoutMillis,
                clock, durability, early));
    }

    /** See {@link GroupRunner#propose}: one future per command, completed when it executed here. */
    public List<CompletableFuture<ExecOutcome.Completed>> propose(List<BatchCommand> commands, long timeoutMillis) {
        return runner.propose(commands, timeoutMillis);
    }

    /** See {@link GroupRunner#readBarrier}: a LINEARIZABLE read barrier (read-index on the leader). */
    public CompletableFuture<Long> readBarrier(long timeoutMillis) {
        return runner.readBarrier(timeoutMillis);
    }

    /** A message from a peer whose incarnation is not known (not checked). */
    public void receive(Message m) {
        runner.receive(m);
    }

    /**
     * A message from a peer that presented {@code incarnation}, through the engine's {@code gate}
     * (votes from an incarnation the group's memberships do not name are dropped).
     */
    public void receive(Message m, String incarnation, IncarnationGate gate) {
        runner.receive(m, incarnation, gate);
    }

    /** One clock tick. */
    public void tick() {
        runner.tick();
    }

    /** Adds a state machine registration (versions side by side; the log's version in force executes). */
    public void register(int id, String version, String name, StateMachine machine) {
        runner.register(new StateMachineRegistry.Registration(runner.group(), id, version, name, machine));
    }

    /** Takes the runner out of service: no more writes or sends; waiting callers fail. */
    public void retire(String why) {
        runner.retire(why);
    }

    /** Why the group stopped, or {@code null}. */
    /** See {@link GroupRunner#changeMembership}. */
    public CompletableFuture<paxos.api.Membership> changeMembership(paxos.api.MembershipChange change) {
        return runner.changeMembership(change);
    }

    /** The latest decided membership: in force, or chosen and pending. */
    public paxos.api.Membership latestMembership() {
        return runner.latestMembership();
    }

    /** The membership in force for this node's next instance. */
    public paxos.api.Membership membershipInForce() {
        return runner.membershipInForce();
    }

    /** The peers catch-up may ask: only they count for {@link CheckpointTrigger} (members in force and pending). */
    public List<Integer> catchUpPeers() {
        return runner.catchUpPeers();
    }

    /** The membership history as last persisted (metadata key {@link #MEMBERSHIP_KEY}), or {@code null}. */
    public byte[] membershipHistory() {
        return runner.membershipHistory();
    }

    /** The log store metadata key the runtime keeps the group's membership history under. */
    public static final String MEMBERSHIP_KEY = MembershipChanges.KEY;

    public String failure() {
        return runner.failure();
    }

    public long chosenUpTo() {
        return runner.chosenUpTo();
    }

    public long executed() {
        return runner.executed();
    }

    public MasterInfo master() {
        return runner.master();
    }

    /** Each peer's chosen position as last heard from its messages. */
    public java.util.Map<Integer, Long> peerChosen() {
        return runner.peerChosen();
    }

    /** The lease entry in force as executed here. */
    public long leaseEntry() {
        return runner.leaseEntry();
    }

    /** When (on the runtime's clock) this node executed the lease entry in force; others time the lease from here. */
    public long leaseEntryExecutedNanos() {
        return runner.leaseEntryExecutedNanos();
    }

    public GroupState state() {
        return runner.state();
    }
}
