package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.MasterInfo;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.GroupExecutor;

/**
 * What a group's execution publishes for status pages, leases and callers: written on the
 * group's execution queue only ({@link #record}, {@link #publish}), read from any thread.
 */
final class ExecStatus {
    private static final System.Logger LOG = System.getLogger(ExecStatus.class.getName());

    private final int group;
    private final RuntimeClock clock;
    private volatile long executed;
    private volatile MasterInfo master;
    /** The lease entry in force and when this node executed it; a restart counts as executing it now. */
    private volatile long leaseEntry;
    private volatile long leaseEntryExecutedNanos;
    private volatile List<Integer> waitingFor = List.of();
    private volatile List<String> waitingForVersions = List.of();
    private volatile Map<Integer, String> versionsInForce = Map.of();
    /** State machines whose execute threw here, with why. */
    private volatile Map<Integer, String> failedMachines = Map.of();
    private final AtomicLong instancesExecuted = new AtomicLong();
    private final AtomicLong commandsExecuted = new AtomicLong();

    ExecStatus(int group, GroupExecutor executor, ExecMeta meta, RuntimeClock clock) {
        this.group = group;
        this.clock = clock;
        this.executed = executor.executedInstance();
        this.master = executor.master();
        this.leaseEntry = executor.leaseEntry();
        this.leaseEntryExecutedNanos = clock.nanoTime();
        if (master.exists()) meta.masters().put(leaseEntry, master);
    }

    /** Counts executed commands and records master entries (callers complete after {@link #publish}). */
    void record(List<ExecOutcome> outcomes, GroupExecutor executor, ExecMeta meta) {
        long lastInstance = -1;
        for (ExecOutcome o : outcomes) {
            long instance = o instanceof ExecOutcome.Completed c ? c.instance() : ((ExecOutcome.Failed) o).instance();
            if (instance != lastInstance) instancesExecuted.incrementAndGet();
            lastInstance = instance;
            commandsExecuted.incrementAndGet();
        }
        List<GroupExecutor.MasterEntry> entries = executor.drainMasterEntries();
        for (GroupExecutor.MasterEntry e : entries) meta.masters().put(e.instance(), e.master());
        if (!entries.isEmpty()) {
            // Others time the lease from here: after execution, never before the master proposed it.
            // Written before the master is published, so no reader pairs a new master with an old time.
            leaseEntryExecutedNanos = clock.nanoTime();
            leaseEntry = entries.get(entries.size() - 1).instance();
        }
    }

    /** Publishes the executor's position, master, holds and failed state machines (newly failed ones logged). */
    void publish(GroupExecutor executor) {
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
    }

    long executed() { return executed; }
    MasterInfo master() { return master; }
    long leaseEntry() { return leaseEntry; }
    long leaseEntryExecutedNanos() { return leaseEntryExecutedNanos; }
    List<Integer> waitingFor() { return waitingFor; }
    List<String> waitingForVersions() { return waitingForVersions; }
    Map<Integer, String> versionsInForce() { return versionsInForce; }
    Map<Integer, String> failedMachines() { return failedMachines; }
    long instancesExecuted() { return instancesExecuted.get(); }
    long commandsExecuted() { return commandsExecuted.get(); }
}
