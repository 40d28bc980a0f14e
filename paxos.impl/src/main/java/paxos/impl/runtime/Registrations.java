package paxos.impl.runtime;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.SystemCommand;

/**
 * One group's state machine registrations and which of them the executor calls: every version
 * registered here side by side, the one of the version in force in the log executing (before any
 * activation, the oldest, whose version this node proposes to activate), the old one holding the
 * group at a switch until the new one is here. Joins a registration whose checkpoint is behind
 * by replaying the log to it alone first ({@link SoloReplay}).
 *
 * <p><b>Threads.</b> Confined to the group's execution queue, except {@link #registered()}.
 */
final class Registrations {
    /** What a group's runner does for the registrations. */
    interface Host {
        /** The group's chosen position as last published by its loop. */
        long chosenUpTo();

        /** Stops the group for good. */
        void fail(String why);

        /** Proposes a first activation (compare-and-set on "none"). */
        void proposeActivation(int id, String version);
    }

    private static final long ACTIVATION_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final int group;
    private final GroupExecutor executor;
    private final LogStore store;
    private final ExecMeta meta;
    private final RuntimeClock clock;
    private final Host host;
    /** Every registration in force here, per ID and version (side by side). */
    private final Map<Integer, Map<String, StateMachineRegistry.Registration>> available = new TreeMap<>();
    /** When this node last proposed the first activation of an ID. */
    private final Map<Integer, Long> activationAskedNanos = new TreeMap<>();
    /** The registration the executor calls per ID ({@link #registered} is its published copy). */
    private final Map<Integer, StateMachineRegistry.Registration> machines = new TreeMap<>();
    private volatile Map<Integer, StateMachineRegistry.Registration> registered = Map.of();

    Registrations(int group, GroupExecutor executor, LogStore store, ExecMeta meta, RuntimeClock clock, Host host) {
        this.group = group;
        this.executor = executor;
        this.store = store;
        this.meta = meta;
        this.clock = clock;
        this.host = host;
    }

    /** Adds a registration (one per ID and version) and puts the right one into the executor. */
    void add(StateMachineRegistry.Registration reg) {
        available.computeIfAbsent(reg.id(), k -> new TreeMap<>()).put(reg.version(), reg);
        reconcile(reg.id());
    }

    /** Removes exactly this registration (a refused or replaced one changes nothing). */
    void remove(StateMachineRegistry.Registration reg) {
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

    /** {@link #reconcile} for every ID registered here (retries a lost first activation); true if any changed. */
    boolean reconcileAll() {
        boolean changed = false;
        for (int id : List.copyOf(available.keySet())) changed |= reconcile(id);
        return changed;
    }

    /**
     * Puts into the executor the registration that must execute {@code id}: the one of the
     * version in force, else (none activated yet) the oldest here. A failed one stays out until it
     * is unregistered. Returns true if the executor's registration changed.
     */
    boolean reconcile(int id) {
        String inForce = executor.versionsInForce().get(id);
        Map<String, StateMachineRegistry.Registration> versions = available.getOrDefault(id, Map.of());
        StateMachineRegistry.Registration want = inForce != null ? versions.get(inForce) : oldest(versions);
        if (inForce == null && want != null) proposeActivation(want);
        StateMachineRegistry.Registration have = machines.get(id);
        // The version in force is not here (e.g. restarted before its bundle came): another version
        // holds the group (the executor never calls a registration of another version), so that no
        // instance executes without the state machine and none is replayed later under a version
        // that was not in force for it. Found by the simulator running this class.
        if (want == null && inForce != null && have == null) want = oldest(versions);
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
        return versions.values().stream().min(Comparator.comparingLong(StateMachineRegistry.Registration::seq)).orElse(null);
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
        // what this node knows is chosen: its loop's published position may lag what already went
        // to execution (Early.applyEarly hands values over before the loop publishes)
        long last = Math.max(host.chosenUpTo(), executor.nextInstance() - 1);
        if (position > StartupCheck.allowedPosition(last, known, store.range(group).end() > 0)) {
            host.fail(StartupCheck.aheadMessage(group, id, position, last, known));
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
                host.fail("state machine " + id + " reports checkpoint " + position + " and cannot catch up: " + why);
                return;
            }
            executedUpTo = executor.nextInstance() - 1;
        }
        executor.register(id, reg.version(), machine, executedUpTo);
        meta.positions().put(id, Math.max(recordable(position), meta.positions().getOrDefault(id, -1L)));
    }

    /**
     * A state machine's position as the durable bookkeeping may record it: not beyond what this
     * executor executed. After a crash a state machine may stand ahead of the log (chosen values
     * execute early); the master, version and request history a restart rebuilds from the replay
     * start is only complete up to what executed here, so the replay must not start beyond it.
     */
    private long recordable(long position) {
        return Math.min(position, executor.nextInstance() - 1);
    }

    /** Proposes the first activation of {@code reg}'s version; at most every few seconds. */
    private void proposeActivation(StateMachineRegistry.Registration reg) {
        long now = clock.nanoTime();
        Long asked = activationAskedNanos.get(reg.id());
        if (asked != null && now - asked < ACTIVATION_RETRY_NANOS) return;
        activationAskedNanos.put(reg.id(), now);
        host.proposeActivation(reg.id(), reg.version());
    }

    /** Records every executing state machine's checkpoint position in the durable bookkeeping. */
    void notePositions() {
        for (Map.Entry<Integer, StateMachineRegistry.Registration> e : machines.entrySet()) {
            long p = recordable(e.getValue().machine().checkpointInstance(group));
            meta.positions().merge(e.getKey(), p, Math::max);
        }
    }

    /** The registrations the executor calls, by ID; any thread. */
    Map<Integer, StateMachineRegistry.Registration> registered() {
        return registered;
    }

    /** An activation the runner proposes: compare-and-set on "none". */
    static byte[] firstActivation(int id, String version) {
        return new SystemCommand.ActivateVersion(id, version, SystemCommand.ActivateVersion.NONE).encode();
    }
}
