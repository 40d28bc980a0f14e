package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.GroupState;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.PaxosException;
import paxos.api.ProposalTimeoutException;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.CatchUpRead;
import paxos.impl.core.ChosenValue;
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
 * messages and the callers waiting for their commands.
 *
 * <p><b>Order of effects</b> (the core's {@link Ready} contract): the Ready's records are appended
 * to the log store and only when that append completed (synced, under the store's policy) are the
 * messages sent, catch-up reads served and chosen values handed to execution. Only one Ready is
 * in flight at a time; events that arrive meanwhile accumulate in the core, which is what batches
 * proposals and lets one fsync cover many writes (the store group-commits across groups too).
 *
 * <p>A failed log write stops the group for good (state {@link GroupState#FAILED}): sending the
 * Ready's messages without durable records could break Paxos safety.
 */
final class GroupRunner {
    private static final System.Logger LOG = System.getLogger(GroupRunner.class.getName());

    private final int group;
    private final int self;
    private final GroupCore core;
    private final GroupExecutor executor;
    private final LogStore store;
    private final Outbound outbound;
    private final Executor io;
    private final SerialExecutor loop;
    private final SerialExecutor exec;
    private final int inboundMax;
    private final AtomicInteger inboundPending = new AtomicInteger();
    private final ConcurrentHashMap<Long, Waiter> waiters = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId;
    /** Durable bookkeeping (positions, master history); exec-confined. */
    private final ExecMeta meta;
    /** Every registration in force here, per ID and version (side by side); exec-confined. */
    private final Map<Integer, Map<String, StateMachineRegistry.Registration>> available = new TreeMap<>();
    /** When this node last proposed the first activation of an ID; exec-confined. */
    private final Map<Integer, Long> activationAskedNanos = new java.util.HashMap<>();
    private static final long ACTIVATION_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final StateMachineRegistry registry;
    private final long proposalTimeoutMillis;
    /** The registration the executor calls per ID; exec-confined ({@link #registered} is its published copy). */
    private final Map<Integer, StateMachineRegistry.Registration> machines = new TreeMap<>();
    private volatile Map<Integer, StateMachineRegistry.Registration> registered = Map.of();
    /** State machines whose execute threw here, with why (published from the executor). */
    private volatile Map<Integer, String> failedMachines = Map.of();
    private byte[] lastMetaWritten = new byte[0];
    /** Retention never passes this instance (a checkpoint above it is being sent); see {@link #capRetention}. */
    private volatile long retentionCap = Long.MAX_VALUE;

    // loop-confined: Readies taken from the core and not yet finished, oldest first
    private final java.util.ArrayDeque<InFlightReady> readies = new java.util.ArrayDeque<>();

    // published for status(), written by one thread each
    private volatile long chosenUpTo = -1;
    private volatile int leaderId;
    private volatile boolean quorumReachable = true;
    private volatile int inFlight;
    private volatile int queued;
    private volatile long executed;
    private volatile MasterInfo master;
    /** The lease entry in force and when this node executed it; a restart counts as executing it now. */
    private volatile long leaseEntry;
    private volatile long leaseEntryExecutedNanos = System.nanoTime();
    private volatile List<Integer> waitingFor = List.of();
    private volatile List<String> waitingForVersions = List.of();
    private volatile Map<Integer, String> versionsInForce = Map.of();
    private volatile String failure;
    private volatile GroupState state = GroupState.RUNNING;
    private final AtomicLong instancesProposed = new AtomicLong();
    private final AtomicLong commandsProposed = new AtomicLong();
    private final Map<Integer, Long> peerChosen = new ConcurrentHashMap<>();

    /**
     * @param loopPool threads shared by every group's event loop
     * @param execPool threads shared by every group's execution
     * @param io threads for catch-up reads from the store
     * @param requestIds this node incarnation's request ID sequence (unique across restarts), shared by
     *     the runners that replace one another after a checkpoint install
     */
    GroupRunner(int group, int self, GroupCore core, GroupExecutor executor, LogStore store, Outbound outbound,
                Executor loopPool, Executor execPool, Executor io, int inboundMax, AtomicLong requestIds, ExecMeta meta,
                StateMachineRegistry registry, long proposalTimeoutMillis) {
        this.meta = meta;
        this.registry = registry;
        this.proposalTimeoutMillis = proposalTimeoutMillis;
        executor.versionsInForce().forEach((id, v) -> registry.noteVersionInForce(group, id, v));
        this.group = group;
        this.self = self;
        this.core = core;
        this.executor = executor;
        this.store = store;
        this.outbound = outbound;
        this.io = io;
        this.inboundMax = inboundMax;
        this.nextRequestId = requestIds;
        Thread.UncaughtExceptionHandler onError = (t, e) -> fail("internal error: " + e);
        this.loop = new SerialExecutor(loopPool, onError);
        this.exec = new SerialExecutor(execPool, onError);
        this.executed = executor.executedInstance();
        this.master = executor.master();
        this.leaseEntry = executor.leaseEntry();
        if (master.exists()) meta.masters().put(leaseEntry, master);
        this.chosenUpTo = core.chosenUpTo();
    }

    int group() {
        return group;
    }

    // ------------------------------------------------------------------ inputs (any thread)

    /**
     * Queues one unit of commands that must share an instance; returns one future per command.
     * {@code commands} carry request ID 0: this method assigns them.
     */
    List<CompletableFuture<ExecOutcome.Completed>> propose(List<BatchCommand> commands, long timeoutMillis) {
        List<CompletableFuture<ExecOutcome.Completed>> futures = new ArrayList<>(commands.size());
        List<BatchCommand> numbered = new ArrayList<>(commands.size());
        String why = failure;
        for (BatchCommand c : commands) {
            long id = nextRequestId.getAndIncrement();
            numbered.add(new BatchCommand(c.stateMachineId(), c.masterVersion(), self, id, c.value()));
            CompletableFuture<ExecOutcome.Completed> f = new CompletableFuture<>();
            futures.add(f);
            if (why != null) {
                f.completeExceptionally(new GroupUnavailableException("group " + group + " failed: " + why));
                continue;
            }
            waiters.put(id, new Waiter(f));
            f.whenComplete((v, e) -> waiters.remove(id));
            CompletableFuture.delayedExecutor(timeoutMillis, TimeUnit.MILLISECONDS).execute(() ->
                    f.completeExceptionally(new ProposalTimeoutException("group " + group + ": not executed here within "
                            + timeoutMillis + " ms; the value may still be chosen")));
        }
        if (why != null) return futures;
        loop.execute(() -> {
            ProposeResult r = core.propose(numbered);
            if (r instanceof ProposeResult.Refused refused) {
                for (BatchCommand c : numbered) fail(c.requestId(), refused.toException());
            }
            drive();
        });
        return futures;
    }

    /** A message from a peer (already decoded and checked against the sender). */
    void receive(Message m) {
        if (inboundPending.incrementAndGet() > inboundMax) { // Paxos retransmits; the heap must not grow
            inboundPending.decrementAndGet();
            return;
        }
        loop.execute(() -> {
            inboundPending.decrementAndGet();
            notePeer(m);
            core.step(m);
            drive();
        });
    }

    /** One clock tick. */
    void tick() {
        loop.execute(() -> {
            core.tick();
            drive();
        });
    }

    /**
     * Adds a registration in force (one per ID and version; versions side by side). The executor
     * gets the one of the version in force in the log (before any activation: the oldest, whose
     * version this node then proposes to activate); execution resumes if it waited for it.
     */
    void register(StateMachineRegistry.Registration reg) {
        exec.execute(() -> {
            available.computeIfAbsent(reg.id(), k -> new TreeMap<>()).put(reg.version(), reg);
            reconcile(reg.id());
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
            if (reg != null) {
                Map<String, StateMachineRegistry.Registration> versions = available.get(reg.id());
                if (versions != null && versions.get(reg.version()) == reg) versions.remove(reg.version());
                if (versions != null && versions.isEmpty()) available.remove(reg.id());
                if (machines.get(reg.id()) == reg) {
                    executor.unregister(reg.id());
                    machines.remove(reg.id());
                    registered = Map.copyOf(machines);
                }
                reconcile(reg.id());
            }
            runExecutor();
            done.complete(null);
        });
        return done;
    }

    /**
     * Puts into the executor the registration that must execute {@code id}: the one of the
     * version in force, else (none activated yet) the oldest here. A failed one stays out until it
     * is unregistered. Returns true if the executor's registration changed.
     */
    private boolean reconcile(int id) {
        String inForce = executor.versionsInForce().get(id);
        Map<String, StateMachineRegistry.Registration> versions = available.getOrDefault(id, Map.of());
        StateMachineRegistry.Registration want = inForce != null ? versions.get(inForce) : oldest(versions);
        if (inForce == null && want != null) proposeActivation(want);
        StateMachineRegistry.Registration have = machines.get(id);
        // the old version stays until the new one is here: the executor holds the group at the switch
        if (want == have || want == null && have != null) return false;
        if (have != null) {
            executor.unregister(id); // the old version executed up to the switch; it gets no more calls
            machines.remove(id);
        }
        if (want != null) join(want);
        registered = Map.copyOf(machines);
        return true;
    }

    private static StateMachineRegistry.Registration oldest(Map<String, StateMachineRegistry.Registration> versions) {
        return versions.values().stream().min(java.util.Comparator.comparingLong(StateMachineRegistry.Registration::seq))
                .orElse(null);
    }

    /**
     * Hands one registration to the executor. A state machine whose checkpoint is behind what the
     * group executed (restarted after a failure, a redeployed bundle, a new version taking over at
     * a switch) first replays the log alone up to there.
     */
    private void join(StateMachineRegistry.Registration reg) {
        int id = reg.id();
        StateMachine machine = reg.machine();
        long position = machine.checkpointInstance(group);
        Long known = meta.positions().get(id);
        if (position > Math.max(known == null ? -1 : known, chosenUpTo)) {
            fail(StartupCheck.aheadMessage(group, id, position, chosenUpTo, known));
            return;
        }
        long executedUpTo = position;
        machines.put(id, reg);
        if (position + 1 < executor.nextInstance()) {
            String why;
            try {
                why = new SoloReplay(group, store, meta, executor.commandsMax())
                        .replay(id, machine, position + 1, executor.nextInstance());
            } catch (SoloReplay.MachineFault e) {
                executor.recordFailure(id, e.getMessage() + " (replaying the log)");
                return;
            }
            if (why != null) {
                fail("state machine " + id + " reports checkpoint " + position + " and cannot catch up: " + why);
                return;
            }
            executedUpTo = executor.nextInstance() - 1;
        }
        executor.register(id, reg.version(), machine, executedUpTo);
        meta.positions().put(id, Math.max(position, meta.positions().getOrDefault(id, -1L)));
    }

    /** Proposes the first activation of {@code reg}'s version (compare-and-set on "none"); at most every few seconds. */
    private void proposeActivation(StateMachineRegistry.Registration reg) {
        long now = System.nanoTime();
        Long asked = activationAskedNanos.get(reg.id());
        if (asked != null && now - asked < ACTIVATION_RETRY_NANOS) return;
        activationAskedNanos.put(reg.id(), now);
        byte[] cmd = new SystemCommand.ActivateVersion(reg.id(), reg.version(), SystemCommand.ActivateVersion.NONE).encode();
        propose(List.of(new BatchCommand(0, paxos.api.Proposal.NO_MASTER_CONDITION, self, 0, cmd)), proposalTimeoutMillis);
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

    /**
     * Takes every Ready the core has (up to its in-flight bound), appends each one's records in
     * order (the store's group commit may cover several with one fsync), and finishes them —
     * send, serve, apply, advance — strictly in order as they become durable. Overlapping the
     * fsyncs this way keeps the pipeline full instead of waiting one fsync per round trip.
     */
    private void drive() {
        boolean progress = true;
        while (progress && failure == null) {
            progress = false;
            while (core.hasReady()) {
                Ready ready = core.ready();
                InFlightReady pending = new InFlightReady(ready);
                readies.addLast(pending);
                progress = true;
                if (ready.toPersist().isEmpty()) {
                    pending.durable = true;
                } else {
                    persist(ready.toPersist()).whenComplete((v, error) -> loop.execute(() -> {
                        if (error != null) {
                            fail("log write failed: " + error.getMessage());
                            return;
                        }
                        pending.durable = true;
                        drive();
                    }));
                }
            }
            while (!readies.isEmpty() && readies.peekFirst().durable && failure == null) {
                finish(readies.removeFirst().ready);
                progress = true;
            }
        }
        publishLoop();
    }

    /**
     * Appends a Ready's records. Promises and accepts must be synced before the replies that
     * depend on them are sent; chosen marks and metadata need not (a node that loses one learns
     * the value again), so they take {@link LogStore#appendUnsynced} and cost no fsync of their
     * own. The store keeps call order, so the Ready is written once both stages completed.
     */
    private java.util.concurrent.CompletableFuture<Void> persist(List<paxos.api.spi.log.LogRecord> records) {
        List<paxos.api.spi.log.LogRecord> synced = new ArrayList<>();
        List<paxos.api.spi.log.LogRecord> lazy = new ArrayList<>();
        for (paxos.api.spi.log.LogRecord r : records) {
            if (r instanceof paxos.api.spi.log.LogRecord.Promise || r instanceof paxos.api.spi.log.LogRecord.Accept) synced.add(r);
            else lazy.add(r);
        }
        CompletableFuture<Void> first = synced.isEmpty() ? CompletableFuture.completedFuture(null)
                : store.append(synced).toCompletableFuture();
        CompletableFuture<Void> second = lazy.isEmpty() ? CompletableFuture.completedFuture(null)
                : store.appendUnsynced(lazy).toCompletableFuture();
        return CompletableFuture.allOf(first, second);
    }

    /** A Ready taken from the core whose records may still be on their way to disk. */
    private static final class InFlightReady {
        final Ready ready;
        boolean durable;

        InFlightReady(Ready ready) {
            this.ready = ready;
        }
    }

    private void finish(Ready ready) {
        for (Message m : ready.messages()) outbound.send(m);
        for (CatchUpRead read : ready.catchUpReads()) io.execute(() -> serve(read));
        if (!ready.toApply().isEmpty()) {
            List<ChosenValue> values = ready.toApply();
            exec.execute(() -> {
                for (ChosenValue v : values) executor.offer(v);
                runExecutor();
            });
        }
        core.advance(ready);
    }

    private void serve(CatchUpRead read) {
        try {
            List<InstanceRecord> records = store.readRange(group, read.fromInstance(), read.toInstance(), read.entriesMax());
            outbound.send(read.reply(records));
        } catch (RuntimeException e) {
            // compacted or unavailable: the requester asks another peer
            LOG.log(Level.DEBUG, "group {0}: catch-up read [{1},{2}) failed: {3}", group, read.fromInstance(),
                    read.toInstance(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ execution (exec queue)

    private void runExecutor() {
        List<ExecOutcome> outcomes = new ArrayList<>();
        boolean again = true;
        while (again) {
            List<ExecOutcome> ran = executor.run();
            record(ran);
            outcomes.addAll(ran);
            again = false;
            for (GroupExecutor.VersionEntry v : executor.drainVersionEntries()) {
                meta.addVersion(v.instance(), v.stateMachineId(), v.version());
                registry.noteVersionInForce(group, v.stateMachineId(), v.version());
                LOG.log(Level.INFO, "group {0}: state machine {1} version {2} in force from instance {3}", group,
                        v.stateMachineId(), v.version(), v.instance() + 1);
                again |= reconcile(v.stateMachineId()); // a switch: the new version takes over where the old one stopped
            }
        }
        // published before any caller completes: a caller that saw its claim (or write) executed
        // must see this node's master and position at least as far (e.g. "current" master version)
        publishExec();
        for (ExecOutcome o : outcomes) {
            Waiter w = waiters.remove(o.requestId());
            if (w == null) continue;
            if (o instanceof ExecOutcome.Completed c) w.future().complete(c);
            else if (o instanceof ExecOutcome.Failed f) w.future().completeExceptionally(f.error());
        }
    }

    /** Counts executed commands and records master entries (callers complete after publishing). */
    private void record(List<ExecOutcome> outcomes) {
        long lastInstance = -1;
        for (ExecOutcome o : outcomes) {
            long instance = o instanceof ExecOutcome.Completed c ? c.instance() : ((ExecOutcome.Failed) o).instance();
            if (instance != lastInstance) instancesProposed.incrementAndGet();
            lastInstance = instance;
            commandsProposed.incrementAndGet();
        }
        List<GroupExecutor.MasterEntry> entries = executor.drainMasterEntries();
        for (GroupExecutor.MasterEntry e : entries) meta.masters().put(e.instance(), e.master());
        if (!entries.isEmpty()) {
            // Others time the lease from here: after execution, never before the master proposed it.
            // Written before the master is published, so no reader pairs a new master with an old time.
            leaseEntryExecutedNanos = System.nanoTime();
            leaseEntry = entries.get(entries.size() - 1).instance();
        }
    }

    /**
     * Periodic bookkeeping on the execution queue: records every state machine's checkpoint
     * position and the master history durably, and lets the store delete the log more than
     * {@code holdLogCount} instances behind the lowest position (never past what a state machine,
     * deployed or not, still needs).
     */
    void housekeeping(long holdLogCount) {
        exec.execute(() -> {
            for (Map.Entry<Integer, StateMachineRegistry.Registration> e : machines.entrySet()) {
                long p = e.getValue().machine().checkpointInstance(group);
                meta.positions().merge(e.getKey(), p, Math::max);
            }
            boolean changed = false;
            for (int id : List.copyOf(available.keySet())) changed |= reconcile(id); // retries a lost first activation
            if (changed) runExecutor();
            meta.pruneMasters();
            meta.pruneVersions();
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

    /** On the execution queue: {@code now} if {@code instance} is the executed position, {@code past} below it. */
    private <T> CompletableFuture<T> executedAt(long instance, java.util.function.Supplier<T> now,
                                                java.util.function.Supplier<T> past) {
        CompletableFuture<T> out = new CompletableFuture<>();
        exec.execute(() -> {
            if (instance == executor.executedInstance()) out.complete(now.get());
            else if (instance > executor.executedInstance()) out.completeExceptionally(
                    new IllegalStateException("instance " + instance + " is not executed here yet"));
            else out.complete(past.get());
        });
        return out;
    }

    /** Last checkpoint position reported per state machine; for status. */
    Map<Integer, Long> positions() {
        return Map.copyOf(meta.positions());
    }

    private void publishExec() {
        executed = executor.executedInstance();
        master = executor.master();
        waitingFor = executor.waitingFor();
        waitingForVersions = executor.waitingForVersions();
        versionsInForce = executor.versionsInForce();
        Map<Integer, String> nowFailed = executor.failedMachines();
        for (Map.Entry<Integer, String> e : nowFailed.entrySet()) {
            if (!e.getValue().equals(failedMachines.get(e.getKey())))
                LOG.log(Level.ERROR, "group {0}: state machine {1} {2}; the group waits until it is deployed again",
                        group, e.getKey(), e.getValue());
        }
        failedMachines = nowFailed;
        String f = executor.failure();
        if (f != null && failure == null) fail(f);
    }

    private void publishLoop() {
        chosenUpTo = core.chosenUpTo();
        leaderId = core.leaderId();
        quorumReachable = core.quorumReachable();
        inFlight = core.inFlightCount();
        queued = core.queuedCount();
    }

    private void notePeer(Message m) {
        long c = chosenOf(m);
        if (c >= -1) peerChosen.merge(m.from(), c, Math::max);
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

    private void fail(long requestId, PaxosException e) {
        Waiter w = waiters.remove(requestId);
        if (w != null) w.future().completeExceptionally(e);
    }

    /** Stops the group for good: no more sends, every waiting caller fails. */
    void fail(String why) {
        if (failure != null) return;
        failure = why;
        state = GroupState.FAILED;
        LOG.log(Level.ERROR, "group {0} stopped: {1}", group, why);
        for (Long id : List.copyOf(waiters.keySet()))
            fail(id, new GroupUnavailableException("group " + group + " failed: " + why));
    }

    /**
     * Takes this runner out of service (the engine replaces it after installing a checkpoint):
     * it stops writing and sending, and waiting callers fail. Not an error, so no error log.
     */
    void retire(String why) {
        if (failure != null) return;
        failure = why;
        for (Long id : List.copyOf(waiters.keySet()))
            fail(id, new GroupUnavailableException(why + "; retry"));
    }

    /** Fails every waiting caller (node shutdown). */
    void close() {
        state = GroupState.STOPPED;
        for (Long id : List.copyOf(waiters.keySet()))
            fail(id, new GroupUnavailableException("node is shutting down"));
    }

    // ------------------------------------------------------------------ status (any thread)

    long chosenUpTo() { return chosenUpTo; }
    int leaderId() { return leaderId; }

    /** The core's view as of its last step or tick: see {@code GroupCore.quorumReachable} and {@link QuorumWatch}. */
    boolean quorumReachable() { return quorumReachable; }
    int inFlight() { return inFlight; }
    int queued() { return queued; }
    long executed() { return executed; }
    MasterInfo master() { return master; }
    long leaseEntry() { return leaseEntry; }
    long leaseEntryExecutedNanos() { return leaseEntryExecutedNanos; }
    List<Integer> waitingFor() { return waitingFor; }
    String failure() { return failure; }
    long instancesProposed() { return instancesProposed.get(); }
    long commandsProposed() { return commandsProposed.get(); }
    Map<Integer, Long> peerChosen() { return Map.copyOf(peerChosen); }
    /** The registrations in force, by ID. */
    Map<Integer, StateMachineRegistry.Registration> registered() { return registered; }
    /** {@code "id@version"} for each waiting ID whose version in force is not executable here. */
    List<String> waitingForVersions() { return waitingForVersions; }
    /** Per ID, the version in force in the log as executed here (absent: none activated). */
    Map<Integer, String> versionsInForce() { return versionsInForce; }
    /** State machines whose execute threw here, by ID, with why. */
    Map<Integer, String> failedMachines() { return failedMachines; }

    GroupState state() {
        GroupState s = state;
        if (s == GroupState.RUNNING && !waitingFor.isEmpty()) return GroupState.WAITING;
        return s;
    }
}
