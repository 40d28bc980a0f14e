package paxos.impl.exec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.impl.core.BatchCommand;

/**
 * The master, lease entry and versions in force at one position of the log, and the rules by which
 * a system command changes them (see {@link GroupExecutor}, "Master version" and "Versions"). A
 * pure value: {@link GroupExecutor} decides a whole instance on copies before running any of it.
 * {@code versions} is copied on the first activation only, so identity tells whether one happened.
 *
 * @param master the master in force
 * @param entry the lease entry in force (instance of the latest claim or renewal, {@code -1} if none)
 * @param versions per state machine ID, the version in force (absent: none activated)
 */
record InForce(MasterInfo master, long entry, Map<Integer, String> versions) {

    InForce with(MasterInfo m, long e) {
        return new InForce(m, e, versions);
    }

    /**
     * Decides one system command at ({@code instance}, {@code index}); see
     * {@link SystemCommand.MasterClaim} for the rules.
     *
     * @param local where this node's outcome goes, or {@code null} if another node proposed it
     * @return what is in force after it ({@code this} if it changed nothing)
     */
    InForce decide(long instance, int index, BatchCommand c, List<ExecOutcome> local) {
        SystemCommand sc = SystemCommand.decode(c.value());
        if (sc instanceof SystemCommand.MasterClaim claim) {
            MasterInfo inForce = master;
            if (claim.expectedVersion() != inForce.version()) {
                if (local != null) local.add(new ExecOutcome.Failed(c.requestId(), instance, index,
                        new MasterChangedException(claim.expectedVersion(), inForce.version())));
                return this;
            }
            InForce next;
            if (inForce.exists() && claim.node() == inForce.nodeId()) {
                // renewal: the version stays, so the master's in-flight conditional writes stay valid
                next = with(new MasterInfo(inForce.nodeId(), inForce.version(), claim.leaseMillis()), instance);
            } else if (claim.expectedEntry() == entry) {
                next = with(new MasterInfo(claim.node(), instance, claim.leaseMillis()), instance);
            } else {
                // the claimer timed out an older lease entry than the one in force: lost
                next = this;
            }
            if (local != null) local.add(new ExecOutcome.Completed(c.requestId(), instance, index, next.master));
            return next;
        }
        if (sc instanceof SystemCommand.ActivateVersion a) {
            String inForce = versions.getOrDefault(a.stateMachineId(), SystemCommand.ActivateVersion.NONE);
            InForce next = this;
            if (a.expected().equals(SystemCommand.ActivateVersion.ANY) || a.expected().equals(inForce)) {
                Map<Integer, String> changed = new TreeMap<>(versions);
                changed.put(a.stateMachineId(), a.version());
                next = new InForce(master, entry, changed);
            }
            if (local != null) local.add(new ExecOutcome.Completed(c.requestId(), instance, index,
                    next.versions.get(a.stateMachineId())));
            return next;
        }
        // A barrier, or an unknown system command (a newer engine's): a deterministic no-op everywhere.
        if (local != null) local.add(new ExecOutcome.Completed(c.requestId(), instance, index, null));
        return this;
    }
}
