package paxos.impl.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.api.Proposal;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/**
 * Executes one group's chosen instances in order: decodes each batch, decides master-conditional
 * commands, runs system commands, and hands each present state machine the instance's commands
 * addressed to it in one {@link StateMachine#execute} call.
 *
 * <p><b>Threads.</b> Single-threaded: the group's execution thread calls every method. No I/O,
 * clock or randomness; the same code runs in production and in the simulator.
 *
 * <p><b>Waiting, never skipping.</b> If an instance carries a command for a state machine that is
 * not registered, execution stops before that instance (nothing of it runs) and
 * {@link #waitingFor()} names the missing IDs; {@link #run()} continues once they register.
 *
 * <p><b>Master version.</b> The master in force at each position, its version and its lease entry
 * are a pure function of the log: they change only by a {@link SystemCommand.MasterClaim}, decided
 * by the rules on that record. A claim by the master in force that names the version in force is a
 * <em>renewal</em>: it keeps the version (so in-flight conditional writes of the master stay valid)
 * and moves the lease entry. A claim by another node is a <em>takeover</em>, which must also name
 * the lease entry in force: a claimer that has not executed the latest renewal cannot depose a
 * master whose renewed lease is still running. A conditional command runs iff its version equals
 * the one in force at its (instance, index). Rejected conditional commands reach no state machine;
 * their proposer gets {@link MasterChangedException}. A claim names no group: it can only concern
 * the group whose log holds it, so a condition on another group's master cannot be expressed.
 *
 * <p><b>Versions.</b> The version of each state machine ID in force is a pure function of the log:
 * it changes only by a {@link SystemCommand.ActivateVersion}, a compare-and-set decided at its
 * position, and takes effect from the <em>next</em> instance (an instance is one call per state
 * machine, so it is never split between two versions). Then that ID executes only with a
 * registration of exactly that version. While a registration of another version is here,
 * execution waits at the switch ({@link #waitingForVersions()} says which version), so the new
 * version takes over exactly after the old one's last instance; with none here, only instances
 * carrying commands for the ID wait (as for any missing state machine). Before any activation
 * ("none"), whatever registration is here executes. A
 * registration of version {@code null} (tests, a runtime replaying the log to one state machine)
 * executes whatever version is in force.
 *
 * <p><b>Exactly once.</b> A command whose (proposer node, request ID) already executed (its
 * proposer forwarded it again to a new leader and both copies were chosen) is skipped: no state
 * machine or system rule sees it, and it yields no outcome (the first execution completed its
 * caller). One below its proposer's window ({@link RequestDedup}) is skipped too; its caller, if
 * waiting here, fails with {@link GroupUnavailableException} (not executed). The table is part of
 * {@link ExecutorState}. Constructed with {@code deduplicate = false} (a broken build for the
 * simulator) every copy executes.
 *
 * <p><b>Failures.</b> A batch that does not decode stops the group for good (the log itself is
 * wrong): {@link #failure()} says why; {@link #run()} then does nothing. A state machine that throws
 * is contained: it gets no more calls, {@link #failedMachines()} names it with the exception, and
 * execution waits at the instance it failed on (like a missing state machine; nothing is skipped)
 * until {@link #unregister} and a new {@link #register} of that ID. Whether a state machine throws
 * is this node's affair, so it never changes what the log decides.
 */
public final class GroupExecutor {
    /** Undrained master entries kept at most. */
    private static final int ENTRIES_MAX = 1024;
    private final int group;
    private final int selfNode;
    private final int commandsMax;
    private final Map<Integer, StateMachine> machines = new HashMap<>();
    /** The version of each registered machine; {@code null}: any. */
    private final Map<Integer, String> machineVersions = new HashMap<>();
    /** Per ID, the version in force after the executed instances (absent: none activated). */
    private Map<Integer, String> versions;
    /** An immutable copy of {@link #versions} ({@code null}: make one). */
    private Map<Integer, String> versionsCopy;
    /** Activations that took effect since the last {@link #drainVersionEntries()}. */
    private final List<VersionEntry> versionEntries = new ArrayList<>();
    private List<String> waitingForVersions = List.of();
    private final Map<Integer, Long> positions = new HashMap<>();
    private final ArrayDeque<ChosenValue> queue = new ArrayDeque<>();
    /** Value bytes in {@link #queue}. */
    private long queuedBytes;
    private long nextInstance;
    private long lastOffered;
    private MasterInfo master;
    private long leaseEntry;
    /** Master entries (claims and renewals) executed since the last {@link #drainMasterEntries()}. */
    private final List<MasterEntry> entries = new ArrayList<>();
    private List<Integer> waitingFor = List.of();
    private String failure;
    /** State machines whose execute threw here, with why; they hold execution until re-registered. */
    private final Map<Integer, String> failed = new TreeMap<>();
    private ExecutionObserver observer = ExecutionObserver.NONE;
    private final boolean deduplicate;
    private final RequestDedup executedRequests;
    /** Fresh requests executed since the last {@link #drainExecutedRequests()}, in order (bounded). */
    private final ArrayDeque<ExecutedRequest> executedSince = new ArrayDeque<>();
    /** {@link #machines}' IDs ascending ({@code null}: rebuild), and their machines in {@link #machineOrder}. */
    private int[] machineIds;
    private StateMachine[] machineOrder;
    /** By index of {@link #machineIds}: {@link #usable} as of its rebuild (also redone when {@link #versions} changes). */
    private boolean[] machineUsable;
    /**
     * Scratch of {@link #execute}, by command index of the instance executing: the state machine
     * its command goes to ({@code 0}: none) and whether a caller here waits for it ({@link #mine},
     * asked once per command). Grown to the largest batch seen.
     */
    private int[] target = new int[16];
    private boolean[] mineAt = new boolean[16];
    /** Scratch of {@link #execute}: the outcomes, the fresh requests and their keys of the instance executing. */
    private final List<ExecOutcome> local = new ArrayList<>();
    private final List<ExecutedRequest> fresh = new ArrayList<>();
    private final RequestKeys freshKeys = new RequestKeys();
    /** Whether a caller here waits for this node's request ID with exactly these bytes; see {@link #awaitedBy}. */
    private volatile java.util.function.BiPredicate<Long, byte[]> awaited = (requestId, value) -> true;

    /**
     * @param selfNode this node: only its commands produce {@link ExecOutcome}s
     * @param commandsMax the largest command count a batch may decode to
     */
    public GroupExecutor(int group, int selfNode, ExecutorState start, int commandsMax) {
        this(group, selfNode, start, commandsMax, true);
    }

    /**
     * @param deduplicate whether a command whose request executed already is skipped (production:
     *     {@code true}; {@code false} only to prove the simulator catches double execution)
     */
    public GroupExecutor(int group, int selfNode, ExecutorState start, int commandsMax, boolean deduplicate) {
        this.deduplicate = deduplicate;
        this.executedRequests = new RequestDedup(start.executedRequests());
        this.group = group;
        this.selfNode = selfNode;
        this.commandsMax = commandsMax;
        this.nextInstance = start.nextInstance();
        this.lastOffered = start.nextInstance() - 1;
        this.master = start.masterInForce();
        this.leaseEntry = start.leaseEntryInForce();
        this.versions = new TreeMap<>(start.versionsInForce());
    }

    /**
     * Produces outcomes only for commands of this node's ID that {@code check} accepts (request ID,
     * command bytes): the runtime answers whether its caller waiting for that ID proposed exactly
     * these bytes (or no caller waits). Why: a command of an earlier incarnation of this node ID
     * (a lost disk replaced under the same ID) may still be chosen after this incarnation reused
     * its request ID; its result must not complete this incarnation's caller, who then times out
     * instead of being told a result of someone else's command. Outcomes only: what executes, and
     * every replica's state, do not depend on it. Call before {@link #run}; any thread.
     */
    public void awaitedBy(java.util.function.BiPredicate<Long, byte[]> check) {
        awaited = check;
    }

    /** Whether {@code c} is a command of a caller on this node (it gets an outcome). */
    private boolean mine(BatchCommand c) {
        return c.proposerNode() == selfNode && awaited.test(c.requestId(), c.value());
    }

    /**
     * A successful version activation, as executed.
     *
     * @param instance the instance carrying it (the version is in force from {@code instance + 1})
     */
    public record VersionEntry(long instance, int stateMachineId, String version) {}

    /**
     * A successful master claim or renewal, as executed.
     *
     * @param instance the entry's instance (the new lease entry)
     * @param master the master in force after it
     */
    public record MasterEntry(long instance, MasterInfo master) {}

    /** A request executed for the first time at {@code instance} (an entry of the {@link RequestDedup} table). */
    public record ExecutedRequest(long instance, int proposerNode, long requestId) {}

    /** Most executed requests kept undrained (nobody drains in a simulator). */
    private static final int EXECUTED_SINCE_MAX = 1 << 20;

    /** Adds a state machine; it receives instances above its {@link StateMachine#checkpointInstance}. */
    public void register(int stateMachineId, StateMachine machine) {
        register(stateMachineId, machine, machine.checkpointInstance(group));
    }

    /**
     * Adds a state machine that has executed every instance up to {@code executedUpTo} (e.g. its
     * checkpoint plus a replay of the log by the runtime); it receives the instances above it.
     * Clears a failure recorded for that ID.
     */
    public void register(int stateMachineId, StateMachine machine, long executedUpTo) {
        register(stateMachineId, null, machine, executedUpTo);
    }

    /**
     * Like {@link #register(int, StateMachine, long)} for a registration of {@code version}
     * ({@code null}: executes whatever version is in force). It is called only while its version is
     * in force (or none is). One registration per ID: this replaces the previous one.
     */
    public void register(int stateMachineId, String version, StateMachine machine, long executedUpTo) {
        if (stateMachineId < Proposal.MIN_STATE_MACHINE_ID || stateMachineId > Proposal.MAX_STATE_MACHINE_ID)
            throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
        machines.put(stateMachineId, machine);
        machineIds = null;
        machineVersions.put(stateMachineId, version);
        positions.put(stateMachineId, executedUpTo);
        failed.remove(stateMachineId);
    }

    /** Sets who hears of each state machine's executed instance (e.g. a {@link DigestRecorder}). */
    public void observer(ExecutionObserver o) {
        observer = java.util.Objects.requireNonNull(o);
    }

    /**
     * Records that a state machine failed outside {@link #run()} (the runtime replayed the log to
     * it and it threw): it is not called, and it holds execution like one that threw here.
     */
    public void recordFailure(int stateMachineId, String why) {
        machines.remove(stateMachineId);
        machineIds = null;
        machineVersions.remove(stateMachineId);
        positions.remove(stateMachineId);
        failed.put(stateMachineId, why);
        waitingFor = List.copyOf(failed.keySet());
    }

    /** Removes a state machine (and its failure, if it failed); instances that need it will wait. */
    public void unregister(int stateMachineId) {
        machines.remove(stateMachineId);
        machineIds = null;
        machineVersions.remove(stateMachineId);
        positions.remove(stateMachineId);
        failed.remove(stateMachineId);
    }

    /** Queues the next chosen instance (the core hands them out in order, without gaps). */
    public void offer(ChosenValue chosen) {
        if (chosen.instance() != lastOffered + 1)
            throw new IllegalArgumentException("expected instance " + (lastOffered + 1) + " but got " + chosen.instance());
        lastOffered = chosen.instance();
        queue.addLast(chosen);
        queuedBytes += chosen.value().length;
    }

    /** Executes queued instances as far as possible; returns the outcomes for this node's requests. */
    public List<ExecOutcome> run() {
        List<ExecOutcome> outcomes = new ArrayList<>();
        while (failure == null && !queue.isEmpty()) {
            ChosenValue next = queue.peekFirst();
            List<BatchCommand> commands;
            try {
                commands = BatchCodec.decode(next.value(), commandsMax);
            } catch (IllegalArgumentException e) {
                failure = "instance " + next.instance() + " holds an undecodable batch: " + e.getMessage();
                break;
            }
            if (!execute(next.instance(), commands, outcomes)) break;
            queue.removeFirst();
            queuedBytes -= next.value().length;
            nextInstance = next.instance() + 1;
        }
        return outcomes;
    }

    /** One instance, atomically: decide everything first, then wait or run it all. */
    private boolean execute(long instance, List<BatchCommand> commands, List<ExecOutcome> outcomes) {
        // The per-instance structures are fields reused from one instance to the next (this runs
        // for every instance; allocating them each time was most of its cost).
        int n = commands.size();
        if (target.length < n) {
            target = new int[Math.max(n, 2 * target.length)];
            mineAt = new boolean[target.length];
        }
        InForce d = new InForce(master, leaseEntry, versions);
        List<ExecOutcome> local = this.local;
        local.clear();
        TreeSet<Integer> missing = null;
        List<ExecutedRequest> fresh = this.fresh;
        fresh.clear();
        freshKeys.clear(n); // instance is the same for all: (node, id)
        int lastId = 0; // the state machine of the previous command, and whether it is usable (runs of one ID are the rule)
        boolean lastUsable = false;
        for (int index = 0; index < n; index++) {
            BatchCommand c = commands.get(index);
            boolean mine = mine(c);
            mineAt[index] = mine;
            target[index] = 0; // reaches no state machine unless set below
            RequestDedup.Verdict verdict = deduplicate ? verdict(c.proposerNode(), c.requestId()) : RequestDedup.Verdict.FRESH;
            if (verdict != RequestDedup.Verdict.FRESH) {
                if (verdict == RequestDedup.Verdict.TOO_OLD && mine) local.add(new ExecOutcome.Failed(c.requestId(), instance, index,
                        new GroupUnavailableException("group " + group + ": request " + c.requestId()
                                + " not executed: below this node's deduplication window (it may have executed earlier)")));
                continue;
            }
            fresh.add(new ExecutedRequest(instance, c.proposerNode(), c.requestId()));
            freshKeys.add(c.proposerNode(), c.requestId());
            if (c.stateMachineId() == 0) {
                d = d.decide(instance, index, c, mine ? local : null);
            } else if (c.masterVersion() != Proposal.NO_MASTER_CONDITION && c.masterVersion() != d.master().version()) {
                if (mine) local.add(new ExecOutcome.Failed(c.requestId(), instance, index,
                        new MasterChangedException(c.masterVersion(), d.master().version())));
            } else {
                int id = c.stateMachineId();
                target[index] = id;
                if (id != lastId) {
                    lastId = id;
                    lastUsable = usableNow(id);
                }
                if (!lastUsable) {
                    if (missing == null) missing = new TreeSet<>();
                    missing.add(id);
                }
            }
        }
        // a failed state machine holds the group where it threw
        if (!failed.isEmpty()) {
            if (missing == null) missing = new TreeSet<>();
            missing.addAll(failed.keySet());
        }
        // a registration of another version than the one in force holds the group too: it must not run, and
        // holding it at the switch lets the new version take over exactly there (no replay of a gap)
        int[] ids = machineIds();
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            if (!machineUsable[k]) {
                if (missing == null) missing = new TreeSet<>();
                missing.add(id);
            }
        }
        if (missing != null) {
            waitingFor = List.copyOf(missing);
            List<String> needs = new ArrayList<>();
            for (int id : missing) if (versions.containsKey(id)) needs.add(id + "@" + versions.get(id));
            waitingForVersions = List.copyOf(needs);
            return false;
        }
        if (!waitingFor.isEmpty()) waitingFor = List.of();
        if (!waitingForVersions.isEmpty()) waitingForVersions = List.of();
        StateMachine[] calls = machineOrder;
        for (int k = 0; k < ids.length; k++) {
            int id = ids[k];
            StateMachine machine = calls[k];
            if (positions.get(id) >= instance) continue;
            // skipped duplicates go to none
            if (!callMachine(instance, id, machine, commands)) {
                waitingFor = List.copyOf(failed.keySet());
                return false;
            }
            positions.put(id, instance);
            observer.executed(id, machine, instance);
        }
        if (d.entry() != leaseEntry) {
            if (entries.size() >= ENTRIES_MAX) entries.remove(0); // nobody drains (e.g. a simulator): keep the recent
            entries.add(new MasterEntry(d.entry(), d.master()));
        }
        for (ExecutedRequest r : fresh) {
            if (deduplicate) executedRequests.record(r.proposerNode(), r.requestId(), instance);
            if (executedSince.size() >= EXECUTED_SINCE_MAX) executedSince.removeFirst();
            executedSince.add(r);
        }
        master = d.master();
        leaseEntry = d.entry();
        if (d.versions() != versions) { // an activation: in force from the next instance on
            d.versions().forEach((id, v) -> {
                if (!v.equals(versions.get(id))) {
                    if (versionEntries.size() >= ENTRIES_MAX) versionEntries.remove(0);
                    versionEntries.add(new VersionEntry(instance, id, v));
                }
            });
            versions = d.versions();
            versionsCopy = null;
            machineIds = null; // usable() may have changed
        }
        if (local.size() > 1) local.sort(BY_INDEX);
        outcomes.addAll(local);
        return true;
    }

    private static final java.util.Comparator<ExecOutcome> BY_INDEX = java.util.Comparator.comparingInt(ExecOutcome::index);

    /** The verdict on one command, counting the fresh ones of its own instance already decided. */
    private RequestDedup.Verdict verdict(int node, long requestId) {
        if (freshKeys.contains(node, requestId)) return RequestDedup.Verdict.DUPLICATE;
        return executedRequests.check(node, requestId);
    }

    /**
     * The registered IDs ascending, with {@link #machineOrder} their machines (the order
     * {@link #execute} calls them in) and {@link #machineUsable}: rebuilt only after registrations
     * or the versions in force changed.
     */
    private int[] machineIds() {
        if (machineIds == null) {
            TreeMap<Integer, StateMachine> sorted = new TreeMap<>(machines);
            int[] ids = new int[sorted.size()];
            StateMachine[] order = new StateMachine[sorted.size()];
            int k = 0;
            for (Map.Entry<Integer, StateMachine> e : sorted.entrySet()) {
                ids[k] = e.getKey();
                order[k++] = e.getValue();
            }
            boolean[] usable = new boolean[ids.length];
            for (k = 0; k < ids.length; k++) usable[k] = usable(ids[k]);
            machineOrder = order;
            machineUsable = usable;
            machineIds = ids;
        }
        return machineIds;
    }

    /** {@link #usable}, from the arrays {@link #machineIds} keeps (a few IDs: a scan beats three map lookups). */
    private boolean usableNow(int id) {
        int[] ids = machineIds();
        for (int k = 0; k < ids.length; k++) if (ids[k] == id) return machineUsable[k];
        return false; // not registered
    }

    /** May the registration here execute {@code id} now: present, and of the version in force (if any)? */
    private boolean usable(int id) {
        if (!machines.containsKey(id)) return false;
        String inForce = versions.get(id);
        String mine = machineVersions.get(id);
        return inForce == null || mine == null || inForce.equals(mine);
    }

    private boolean callMachine(long instance, int id, StateMachine machine, List<BatchCommand> commands) {
        Exception thrown = MachineCall.run(group, instance, id, machine, commands, target, mineAt, local);
        if (thrown == null) return true;
        // Its state may hold part of this instance: it must not be called again; a new registration
        // of the ID starts from its own checkpoint. Positions of the others that ran already stay.
        failed.put(id, "failed at instance " + instance + ": " + thrown);
        machines.remove(id);
        machineIds = null;
        machineVersions.remove(id);
        positions.remove(id);
        return false;
    }

    /** The next instance to execute (everything below it ran). */
    public long nextInstance() {
        return nextInstance;
    }

    /** Highest executed instance, {@code -1} if none. */
    public long executedInstance() {
        return nextInstance - 1;
    }

    /** The master in force after the executed instances. */
    public MasterInfo master() {
        return master;
    }

    /**
     * The instance of the latest successful master claim or renewal executed ({@code -1} if none);
     * a takeover claim must name it (see {@link SystemCommand.MasterClaim}).
     */
    public long leaseEntry() {
        return leaseEntry;
    }

    /**
     * Hands out the master entries executed since the previous call, oldest first, and forgets
     * them; the runtime timestamps them and keeps them as durable master history.
     */
    public List<MasterEntry> drainMasterEntries() {
        if (entries.isEmpty()) return List.of();
        List<MasterEntry> out = List.copyOf(entries);
        entries.clear();
        return out;
    }

    /** The executed-requests table after the executed instances (proposer to request ID to instance). */
    public Map<Integer, java.util.NavigableMap<Long, Long>> executedRequests() {
        return executedRequests.entries();
    }

    /**
     * The highest request ID of proposer {@code node} in the executed-requests table ({@code -1} if
     * none): a node on a new data directory numbers its requests above it (see the runtime's
     * {@code RequestIds}).
     */
    public long highestExecutedRequest(int node) {
        return executedRequests.highest(node);
    }

    /** Whether duplicates are skipped (as constructed). */
    public boolean deduplicates() {
        return deduplicate;
    }

    /**
     * Hands out the requests executed for the first time since the previous call, oldest first,
     * and forgets them; the runtime folds them into its durable table (like master entries).
     */
    public List<ExecutedRequest> drainExecutedRequests() {
        if (executedSince.isEmpty()) return List.of();
        List<ExecutedRequest> out = List.copyOf(executedSince);
        executedSince.clear();
        return out;
    }

    /** Per state machine ID, the version in force after the executed instances (absent: none activated). */
    public Map<Integer, String> versionsInForce() {
        if (versionsCopy == null) versionsCopy = Map.copyOf(versions); // asked after every run; changes once in a long while
        return versionsCopy;
    }

    /** The version of the registration here for {@code id} ({@code null}: any, or none registered). */
    public String registeredVersion(int id) {
        return machineVersions.get(id);
    }

    /** True if a registration for {@code id} is here (whatever its version). */
    public boolean isRegistered(int id) {
        return machines.containsKey(id);
    }

    /**
     * Hands out the activations executed since the previous call, oldest first, and forgets them;
     * the runtime keeps them as durable version history (like master entries).
     */
    public List<VersionEntry> drainVersionEntries() {
        if (versionEntries.isEmpty()) return List.of();
        List<VersionEntry> out = List.copyOf(versionEntries);
        versionEntries.clear();
        return out;
    }

    /** For waiting IDs with a version in force, {@code "id@version"}: the registration execution needs. */
    public List<String> waitingForVersions() {
        return waitingForVersions;
    }

    /** State machine IDs whose absence blocks execution; empty unless waiting. */
    public List<Integer> waitingFor() {
        return waitingFor;
    }

    /**
     * State machines whose {@code execute} threw on this node, by ID, with the instance and the
     * exception; each holds execution until it is unregistered and registered again.
     */
    public Map<Integer, String> failedMachines() {
        if (failed.isEmpty()) return Map.of(); // the rule, asked after every run: no copy
        return Map.copyOf(failed);
    }

    /** The largest command count a batch may decode to (as constructed). */
    public int commandsMax() {
        return commandsMax;
    }

    /** Why the group stopped, or {@code null}. */
    public String failure() {
        return failure;
    }

    /** Chosen instances received and not yet executed. */
    public int queuedInstances() {
        return queue.size();
    }

    /** Value bytes of the chosen instances received and not yet executed. */
    public long queuedBytes() {
        return queuedBytes;
    }
}
