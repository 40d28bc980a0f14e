package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.PeerInfo;
import paxos.api.StateMachineInfo;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;

/**
 * Assembles the engine's status snapshots ({@link GroupStatus}, {@link PeerInfo}) from the parts
 * that own the facts: the group runner (positions, master, what executes), the
 * {@link StateMachineRegistry} (who registered what), the {@link DigestExchange} (divergence), the
 * checkpoint service (catching up) and the transport (peers). It owns no state of its own.
 *
 * <p><b>Threads.</b> Any thread (status pages, the REST API, tests). Each fact is read once from
 * its owner's published copy, so a snapshot is consistent per fact, not across facts: a state
 * machine may show RUNNING next to a position read a moment earlier. Never blocks; never throws
 * for a valid group.
 */
final class StatusBuilder {
    private final EngineConfig config;
    private final LogStore store;
    private final Transport transport;
    private final StateMachineRegistry registry;
    private final DigestExchange digests;
    private final IntFunction<GroupRunner> runners;
    private final IntPredicate catchingUp;

    /**
     * @param runners the group's current runner, {@code null} before start
     * @param catchingUp true while the group receives or installs a checkpoint
     */
    StatusBuilder(EngineConfig config, LogStore store, Transport transport, StateMachineRegistry registry,
                  DigestExchange digests, IntFunction<GroupRunner> runners, IntPredicate catchingUp) {
        this.config = config;
        this.store = store;
        this.transport = transport;
        this.registry = registry;
        this.digests = digests;
        this.runners = runners;
        this.catchingUp = catchingUp;
    }

    /** See {@link paxos.api.PaxosNode#status}; {@code group} is valid. */
    GroupStatus status(int group) {
        GroupRunner r = runners.apply(group);
        if (r == null) return new GroupStatus(group, GroupState.STARTING, -1, -1, 0, 0, 0, MasterInfo.NONE, List.of(),
                null, 0, 0, 0, List.of(), Map.of());
        List<StateMachineInfo> machines = machines(group, r);
        GroupState state = catchingUp.test(group) && r.state() != GroupState.STOPPED ? GroupState.CATCHING_UP : r.state();
        return new GroupStatus(group, state, r.chosenUpTo(), r.executed(), store.range(group).minRetained(),
                r.inFlight(), r.queued(), r.master(), r.waitingFor(), r.failure(), r.leaderId(),
                r.instancesExecuted(), r.commandsExecuted(), machines, r.peerChosen(), r.peerReportAgeMillis());
    }

    /**
     * Every state machine of the group: those the runner knows (executing, waiting, failed,
     * diverged), the registered ones of a version not executing (STANDBY) and the refused ones.
     */
    private List<StateMachineInfo> machines(int group, GroupRunner r) {
        List<StateMachineInfo> machines = new ArrayList<>();
        Map<Integer, StateMachineRegistry.Registration> running = r.registered();
        Map<Integer, String> failed = r.failedMachines();
        Map<Integer, String> versions = r.versionsInForce();
        Map<Integer, Long> positions = r.positions();
        List<Integer> waiting = r.waitingFor();
        Set<Integer> ids = new TreeSet<>(positions.keySet());
        ids.addAll(running.keySet());
        ids.addAll(waiting);
        for (int id : ids) {
            StateMachineRegistry.Registration reg = running.get(id);
            if (reg == null && !waiting.contains(id)) continue; // undeployed, nothing waits for it: no ghost entry
            String name = reg == null ? "" : reg.name();
            StateMachineInfo.State s = reg == null || waiting.contains(id)
                    ? StateMachineInfo.State.WAITING : StateMachineInfo.State.RUNNING;
            String why = failed.get(id);
            if (why != null || r.failure() != null) s = StateMachineInfo.State.FAILED;
            if (digests.diverged(group, id)) s = StateMachineInfo.State.DIVERGED;
            machines.add(new StateMachineInfo(id, name, versions.get(id), positions.getOrDefault(id, -1L), s, why));
        }
        for (StateMachineRegistry.Registration reg : registry.registrations(group)) {
            if (running.get(reg.id()) != reg)
                machines.add(new StateMachineInfo(reg.id(), reg.name(), reg.version(), -1, StateMachineInfo.State.STANDBY, null));
        }
        registry.refused(group).forEach((id, regs) -> regs.forEach(reg -> machines.add(new StateMachineInfo(id, reg.name(),
                reg.version(), -1, StateMachineInfo.State.REFUSED, "another service with state machine " + id + "@"
                + reg.version() + " is in force here"))));
        return machines;
    }

    /**
     * Every peer with its liveness: reachable when the transport heard from it within the election
     * timeout (never less than a few keepalive intervals), whatever the TCP connection says.
     */
    List<PeerInfo> peers() {
        long silenceMax = Math.max((long) config.electionTicks() * config.tickMillis(), 3 * Transport.KEEPALIVE_MILLIS_MAX);
        List<PeerInfo> out = new ArrayList<>();
        for (PeerStatus p : transport.peers()) {
            boolean reachable = p.lastHeardMillisAgo() >= 0 && p.lastHeardMillisAgo() <= silenceMax;
            out.add(new PeerInfo(p.nodeId(), p.address(), p.connected(), p.authenticated(), p.lastError(),
                    p.lastHeardMillisAgo(), reachable, p.lastErrorAtMillis()));
        }
        return out;
    }
}
