package paxos.impl.osgi;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import paxos.api.GroupStatus;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.StateMachineInfo;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineProperties;
import paxos.impl.runtime.Engine;
import paxos.impl.runtime.EngineConfig;

/**
 * What the status resource and the web console page show, and the operator actions they offer.
 * Thread-safe: reads snapshots, actions run on the caller's thread (bundle restarts on a thread
 * of their own, since stopping a bundle must not run on a thread the bundle itself serves).
 */
final class NodeView {
    private static final System.Logger LOG = System.getLogger(NodeView.class.getName());
    /** How long a membership action (REST, console form) waits for every group's change. */
    static final long MEMBERSHIP_WAIT_MILLIS = 60_000;
    private final Engine engine;
    private final LogStore store;
    private final BundleContext context;
    private final paxos.impl.health.HealthChecks health;
    private final paxos.impl.metrics.NodeMetrics metrics;
    private final PaxosNode api;
    private final SettingsAgreement agreement;
    private final MembersResource members;
    private volatile boolean cleaningPaused;

    /** @param transportPeers the transport's per-peer view, for {@code /paxos/metrics} */
    NodeView(Engine engine, LogStore store, java.util.function.Supplier<List<paxos.api.spi.transport.PeerStatus>> transportPeers,
             BundleContext context) {
        this.engine = engine;
        this.store = store;
        this.context = context;
        this.health = new paxos.impl.health.HealthChecks(engine, engine.config().dataDir(), () -> engine.transfers().stream()
                .map(t -> new paxos.impl.health.HealthChecks.Transfer(t.transferId(), "group " + t.group() + " " + t.direction()
                        + " peer " + t.peer(), t.bytes(), t.outcome() == null)).toList());
        this.metrics = new paxos.impl.metrics.NodeMetrics(new paxos.impl.metrics.NodeMetrics.Sources(engine,
                engine.config().clusterId(), store::stats, transportPeers, engine::transfers, health));
        this.api = new paxos.impl.metrics.MeasuredNode(engine, metrics);
        this.members = new MembersResource(api, MEMBERSHIP_WAIT_MILLIS);
        this.agreement = SettingsAgreement.start(engine.nodeId(),
                context == null ? null : context.getProperty(SettingsAgreement.MEMBERS_PROPERTY), this::settings);
    }

    /** Stops comparing settings with the peers. */
    void close() {
        agreement.close();
    }

    /** What {@code GET /paxos/metrics} renders; also the store's sync and the transport's traffic observer. */
    paxos.impl.metrics.NodeMetrics metrics() {
        return metrics;
    }

    /** The checks behind {@code GET /paxos/health}; the status model shows the same result. */
    paxos.impl.health.HealthChecks health() {
        return health;
    }

    /** The engine as plugins and endpoints see it: proposals timed for the metrics. */
    PaxosNode api() {
        return api;
    }

    /** {@code /paxos/members} and the console's membership form. */
    MembersResource members() {
        return members;
    }

    /** The result encoder of the state machine executing {@code (group, id)} here, or {@code null}. */
    paxos.api.statemachine.ResultEncoder resultEncoder(int group, int id) {
        return engine.resultEncoder(group, id);
    }

    /** The node's status as JSON-ready maps and lists. */
    @SuppressWarnings("unchecked")
    Map<String, Object> model() {
        PaxosNode api = engine;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", api.nodeId());
        out.put("cluster", engine.config().clusterId());
        List<Object> groups = new ArrayList<>();
        for (int g = 0; g < api.groupCount(); g++) {
            Map<String, Object> group = group(api.status(g));
            // on the master: valid lease left; elsewhere: time until this node would let a takeover through
            ((Map<String, Object>) group.get("master")).put("leaseRemainingMillis", engine.leaseRemainingMillis(g));
            groups.add(group);
        }
        out.put("groups", groups);
        List<Object> peers = new ArrayList<>();
        for (PeerInfo p : api.peers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", p.nodeId());
            m.put("address", p.address());
            m.put("reachable", p.reachable()); // heard from within the election timeout
            m.put("lastHeardMillisAgo", p.lastHeardMillisAgo()); // -1: never since this node started
            m.put("connected", p.connected());
            m.put("authenticated", p.authenticated());
            m.put("lastError", p.lastError());
            m.put("lastErrorAtMillis", p.lastErrorAtMillis() == 0 ? null : p.lastErrorAtMillis());
            peers.add(m);
        }
        out.put("peers", peers);
        // the membership in force per group, with the instance of the change that made it
        out.put("membership", MembersResource.model(engine));
        // a node file / paxos.node members list that the log overrides (null: none, or it agrees)
        out.put("configuredMembersIgnored", engine.configuredMembersIgnored());
        LogStoreStats s = store.stats();
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("recordsAppended", s.recordsAppended());
        log.put("fsyncs", s.fsyncs());
        log.put("bytesWritten", s.bytesWritten());
        log.put("bytesDeleted", s.bytesDeleted());
        log.put("cleaningPaused", cleaningPaused);
        out.put("log", log);
        List<Object> transfers = new ArrayList<>();
        for (paxos.impl.runtime.TransferStatus t : engine.transfers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", t.group());
            m.put("direction", t.direction());
            m.put("peer", t.peer());
            m.put("phase", t.phase());
            m.put("bytes", t.bytes());
            m.put("bytesTotal", t.bytesTotal());
            m.put("files", t.files());
            m.put("filesTotal", t.filesTotal());
            m.put("bytesPerSecond", t.bytesPerSecond());
            m.put("instance", t.instance());
            m.put("startedMillis", t.startedMillis());
            m.put("endedMillis", t.endedMillis());
            m.put("outcome", t.outcome() == null ? null : t.outcome().name()); // a TransferOutcome name
            m.put("outcomeDetail", t.detail());
            transfers.add(m);
        }
        out.put("checkpointTransfers", transfers);
        out.put("replicas", ReplicaModel.model(engine.digests(), api.groupCount()));
        // the configuration in force, so that an operator (or a test) sees a ConfigAdmin change applied
        out.put("settings", settings());
        // cluster-wide settings that differ on a peer (SettingsAgreement; empty without peers' HTTP addresses)
        out.put("settingsDisagreements", agreement.disagreements().stream().map(d -> Map.of("peer", d.peer(), "key", d.key(),
                "here", d.here(), "there", d.there())).toList());
        out.put("health", health.run().toMap());
        return out;
    }

    /** The paxos.node values in force. */
    private Map<String, Object> settings() {
        EngineConfig c = engine.config();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("groupCount", c.groupCount());
        settings.put("holdLogCount", c.holdLogCount());
        settings.put("batchCountMax", c.batchCountMax());
        settings.put("batchBytesMax", c.batchBytesMax());
        settings.put("windowMax", c.windowMax());
        settings.put("maxValueBytes", c.maxValueBytes());
        settings.put("checkpointTransferBytesPerSecond", engine.checkpointConfig().bytesPerSecondMax());
        settings.put("dataDir", c.dataDir().toString());
        return settings;
    }

    private Map<String, Object> group(GroupStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", s.group());
        m.put("state", s.state().name());
        m.put("chosenInstance", s.chosenInstance());
        m.put("executedInstance", s.executedInstance());
        m.put("minRetainedInstance", s.minRetainedInstance());
        m.put("leader", s.leaderNodeId());
        m.put("quorumReachable", engine.quorumReachable(s.group()));
        m.put("inFlightInstances", s.inFlightInstances());
        m.put("queuedProposals", s.queuedProposals());
        m.put("instancesExecuted", s.instancesExecuted());
        m.put("commandsExecuted", s.commandsExecuted());
        m.put("meanBatch", s.instancesExecuted() == 0 ? 0 : Math.round(10.0 * s.commandsExecuted() / s.instancesExecuted()) / 10.0);
        Map<String, Object> master = new LinkedHashMap<>();
        master.put("node", s.master().nodeId());
        master.put("version", s.master().version());
        master.put("leaseMillis", s.master().leaseMillis());
        m.put("master", master);
        List<Object> machines = new ArrayList<>();
        for (StateMachineInfo i : s.stateMachines()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("id", i.id());
            sm.put("name", i.name());
            sm.put("version", i.version());
            sm.put("checkpointInstance", i.checkpointInstance());
            sm.put("state", i.state().name());
            if (i.failure() != null) sm.put("failure", i.failure()); // FAILED: the exception; REFUSED: why
            machines.add(sm);
        }
        m.put("stateMachines", machines);
        // per peer: what it reported and when; "lag" only while the report is fresh (see PeerLag)
        Map<String, Object> lag = new LinkedHashMap<>();
        new java.util.TreeMap<>(s.peerChosen()).forEach((peer, chosen) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("chosen", chosen);
            p.put("reportedMillisAgo", s.peerReportAgeMillis().get(peer));
            p.put("lag", paxos.impl.metrics.PeerLag.lag(s, peer));
            lag.put(String.valueOf(peer), p);
        });
        m.put("peerChosen", lag);
        m.put("waitingFor", s.waitingFor());
        // "7@1.2.0": the version in force that this node lacks (or cannot run)
        m.put("waitingForVersions", s.stateMachines().stream().filter(i -> i.state() == StateMachineInfo.State.WAITING
                && i.version() != null).map(i -> i.id() + "@" + i.version()).toList());
        m.put("failure", s.failure());
        return m;
    }

    /** The node's local settings file (the launcher's framework property), or {@code null}. */
    String settingsFile() {
        return context == null ? null : context.getProperty(ConsoleSettings.FILE_PROPERTY);
    }

    /** Pauses or resumes the log's background cleaning. */
    void setCleaningPaused(boolean paused) {
        if (paused) store.pauseCleaning();
        else store.resumeCleaning();
        cleaningPaused = paused;
        LOG.log(Level.INFO, "log cleaning {0} by operator", paused ? "paused" : "resumed");
    }

    boolean cleaningPaused() {
        return cleaningPaused;
    }

    /**
     * Activates a state machine version (see {@link PaxosNode#activateVersion}) and waits up to
     * 10 s per group: per group, {@code {"version": in force after}} or {@code {"error": why}}.
     *
     * @throws IllegalArgumentException for a malformed ID or version
     */
    Map<String, Object> activateVersion(int id, String version) {
        Map<String, Object> out = new LinkedHashMap<>();
        engine.activateVersion(id, version).forEach((group, stage) -> {
            Map<String, Object> r = new LinkedHashMap<>();
            try {
                r.put("version", stage.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                r.put("error", e.getCause().getMessage());
            } catch (java.util.concurrent.TimeoutException e) {
                r.put("error", "timeout: the activation may still be chosen");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.put("error", "interrupted");
            }
            out.put(String.valueOf(group), r);
        });
        return out;
    }

    /**
     * Restarts the bundle that provides state machine {@code id}: the engine stops executing it
     * when its service goes away and replays from its checkpoint when it comes back.
     *
     * @return the bundle's symbolic name, or null if no such state machine is registered
     */
    String restartStateMachine(int id) {
        ServiceReference<StateMachine>[] refs;
        try {
            @SuppressWarnings("unchecked")
            ServiceReference<StateMachine>[] found = (ServiceReference<StateMachine>[]) context.getServiceReferences(
                    StateMachine.class.getName(), "(" + StateMachineProperties.STATE_MACHINE_ID + "=" + id + ")");
            refs = found;
        } catch (InvalidSyntaxException e) {
            return null;
        }
        if (refs == null || refs.length == 0) return null;
        Bundle bundle = refs[0].getBundle();
        Thread t = new Thread(() -> {
            try {
                bundle.stop(Bundle.STOP_TRANSIENT);
                bundle.start(Bundle.START_TRANSIENT);
                LOG.log(Level.INFO, "restarted bundle {0} of state machine {1} by operator", bundle.getSymbolicName(), id);
            } catch (BundleException | IllegalStateException e) {
                LOG.log(Level.WARNING, "restarting bundle {0} failed: {1}", bundle.getSymbolicName(), e.getMessage());
            }
        }, "paxos-restart-" + id);
        t.setDaemon(true);
        t.start();
        return bundle.getSymbolicName();
    }
}
