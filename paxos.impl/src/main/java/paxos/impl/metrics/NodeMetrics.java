package paxos.impl.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import paxos.api.GroupStatus;
import paxos.api.PaxosNode;
import paxos.api.spi.log.LogStoreStats;
import paxos.api.spi.log.SyncObserver;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.TrafficObserver;
import paxos.impl.health.HealthChecks;
import paxos.impl.runtime.TransferStatus;

/**
 * One node's metrics: the distributions recorded as things happen (proposals through
 * {@link MeasuredNode}, syncs as the store's {@link SyncObserver}, messages as the transport's
 * {@link TrafficObserver}) and, read at scrape time, the counters and gauges of the status
 * snapshots. {@link #scrape()} renders all of it in the Prometheus text format; the README's
 * operators' section lists every name.
 *
 * <p>Thread-safe: observers are called on store, transport and completion threads (lock-free);
 * scrapes on HTTP threads. Memory is bounded: per group (fixed at construction) and per peer (at
 * most {@link #PEERS_MAX}).
 */
public final class NodeMetrics implements SyncObserver, TrafficObserver {
    /** Peers tracked; a larger cluster's extra peers are not broken down (the transport only talks to members). */
    static final int PEERS_MAX = 256;
    private static final double NANOS = 1e-9;

    /** The sources read at scrape time. */
    public record Sources(PaxosNode node, String clusterId, Supplier<LogStoreStats> log, Supplier<List<PeerStatus>> peers,
                          Supplier<List<TransferStatus>> transfers, HealthChecks health) {}

    private static final class PeerTraffic {
        final LongAdder sentMessages = new LongAdder();
        final LongAdder sentBytes = new LongAdder();
        final LongAdder receivedMessages = new LongAdder();
        final LongAdder receivedBytes = new LongAdder();
        final Distribution roundTrip = new Distribution();
    }

    private final Sources sources;
    private final Distribution[] proposeLatency;
    private final LongAdder[] proposeFailures;
    private final Distribution fsyncLatency = new Distribution();
    private final Distribution fsyncRecords = new Distribution();
    private final Distribution fsyncBytes = new Distribution();
    private final Map<Integer, PeerTraffic> traffic = new ConcurrentHashMap<>();
    /** Transfer ID -> bytes seen at the last scrape (the newest TRANSFERS_SEEN_MAX transfers). */
    private final Map<Long, Long> transferBytesSeen = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > TRANSFERS_SEEN_MAX;
        }
    };
    private final long[] transferredBytes = new long[2]; // receive, send
    private static final int TRANSFERS_SEEN_MAX = 64;

    public NodeMetrics(Sources sources) {
        this.sources = sources;
        int groups = sources.node().groupCount();
        proposeLatency = new Distribution[groups];
        proposeFailures = new LongAdder[groups];
        for (int g = 0; g < groups; g++) {
            proposeLatency[g] = new Distribution();
            proposeFailures[g] = new LongAdder();
        }
    }

    /** A proposal to {@code group} completed after {@code nanos}; failed ones count, their time does not. */
    void proposed(int group, long nanos, boolean ok) {
        if (group < 0 || group >= proposeLatency.length) return;
        if (ok) proposeLatency[group].record(nanos);
        else proposeFailures[group].increment();
    }

    @Override
    public void synced(long nanos, int records, long bytes) {
        fsyncLatency.record(nanos);
        fsyncRecords.record(records);
        fsyncBytes.record(bytes);
    }

    @Override
    public void sent(int peer, int bytes) {
        PeerTraffic t = peer(peer);
        if (t == null) return;
        t.sentMessages.increment();
        t.sentBytes.add(bytes);
    }

    @Override
    public void received(int peer, int bytes) {
        PeerTraffic t = peer(peer);
        if (t == null) return;
        t.receivedMessages.increment();
        t.receivedBytes.add(bytes);
    }

    @Override
    public void roundTrip(int peer, long nanos) {
        PeerTraffic t = peer(peer);
        if (t != null) t.roundTrip.record(nanos);
    }

    private PeerTraffic peer(int peer) {
        PeerTraffic t = traffic.get(peer);
        if (t != null || traffic.size() >= PEERS_MAX) return t;
        return traffic.computeIfAbsent(peer, p -> new PeerTraffic());
    }

    /** Every metric in the Prometheus text format, version 0.0.4. */
    public String scrape() {
        long now = System.nanoTime();
        PrometheusText out = new PrometheusText();
        PaxosNode node = sources.node();
        out.family("paxos_node_info", "gauge", "This node's ID and cluster; always 1.")
                .sample("paxos_node_info", 1, "node", String.valueOf(node.nodeId()), "cluster", sources.clusterId());
        GroupMetrics.write(out, node, proposeLatency, proposeFailures, now);
        writeLog(out, now);
        writePeers(out, now);
        writeTransfers(out);
        HealthChecks.Result health = sources.health().run();
        out.family("paxos_health_up", "gauge", "1 when every health check is UP (GET /paxos/health answers 200), else 0.")
                .sample("paxos_health_up", health.up() ? 1 : 0);
        out.family("paxos_health_check_up", "gauge", "1 when the named health check is UP, else 0.");
        for (HealthChecks.Check c : health.checks()) out.sample("paxos_health_check_up", c.up() ? 1 : 0, "check", c.name());
        return out.toString();
    }

    private void writeLog(PrometheusText out, long now) {
        out.family("paxos_log_fsync_seconds", "summary", "Duration of one fsync of the log (quantiles over the last minute).")
                .summary("paxos_log_fsync_seconds", fsyncLatency.snapshot(now, NANOS));
        out.family("paxos_log_fsync_batch_records", "summary", "Records made durable by one fsync (group commit batch size).")
                .summary("paxos_log_fsync_batch_records", fsyncRecords.snapshot(now, 1));
        out.family("paxos_log_fsync_batch_bytes", "summary", "Bytes made durable by one fsync.")
                .summary("paxos_log_fsync_batch_bytes", fsyncBytes.snapshot(now, 1));
        LogStoreStats s = sources.log().get();
        out.family("paxos_log_appended_records_total", "counter", "Records appended to the log since the store opened.")
                .sample("paxos_log_appended_records_total", s.recordsAppended());
        out.family("paxos_log_fsyncs_total", "counter", "File syncs of the log since the store opened.")
                .sample("paxos_log_fsyncs_total", s.fsyncs());
        out.family("paxos_log_written_bytes_total", "counter", "Bytes written to log data files since the store opened.")
                .sample("paxos_log_written_bytes_total", s.bytesWritten());
        out.family("paxos_log_deleted_bytes_total", "counter", "Log bytes reclaimed by retention since the store opened.")
                .sample("paxos_log_deleted_bytes_total", s.bytesDeleted());
    }

    private void writePeers(PrometheusText out, long now) {
        List<PeerStatus> peers = sources.peers().get();
        out.family("paxos_peer_round_trip_seconds", "summary", "Round trip to the peer and back, timed by the transport's "
                + "keepalives about once a second (quantiles over the last minute).");
        for (PeerStatus p : peers) {
            PeerTraffic t = traffic.get(p.nodeId());
            out.summary("paxos_peer_round_trip_seconds", (t == null ? new Distribution() : t.roundTrip).snapshot(now, NANOS), "peer", id(p));
        }
        out.family("paxos_peer_reachable", "gauge", "1 when something was heard from the peer within the election timeout.");
        for (PeerStatus p : peers) out.sample("paxos_peer_reachable", reachable(p) ? 1 : 0, "peer", id(p));
        out.family("paxos_peer_last_heard_seconds", "gauge", "Seconds since the last frame (data or keepalive) from the peer; absent if never.");
        for (PeerStatus p : peers)
            if (p.lastHeardMillisAgo() >= 0) out.sample("paxos_peer_last_heard_seconds", p.lastHeardMillisAgo() / 1000.0, "peer", id(p));
        out.family("paxos_peer_dropped_messages_total", "counter", "Messages to the peer dropped (queue full, not connected).");
        for (PeerStatus p : peers) out.sample("paxos_peer_dropped_messages_total", p.messagesDropped(), "peer", id(p));
        counterPerPeer(out, peers, "paxos_peer_sent_messages_total", "Data messages written to the peer's connection.", t -> t.sentMessages);
        counterPerPeer(out, peers, "paxos_peer_sent_bytes_total", "Bytes of data frames written to the peer's connection.", t -> t.sentBytes);
        counterPerPeer(out, peers, "paxos_peer_received_messages_total", "Data messages received from the peer.", t -> t.receivedMessages);
        counterPerPeer(out, peers, "paxos_peer_received_bytes_total", "Bytes of data frames received from the peer.", t -> t.receivedBytes);
    }

    private void counterPerPeer(PrometheusText out, List<PeerStatus> peers, String name, String help,
                                java.util.function.Function<PeerTraffic, LongAdder> field) {
        out.family(name, "counter", help);
        for (PeerStatus p : peers) {
            PeerTraffic t = traffic.get(p.nodeId());
            out.sample(name, t == null ? 0 : field.apply(t).sum(), "peer", id(p));
        }
    }

    private void writeTransfers(PrometheusText out) {
        List<TransferStatus> transfers = sources.transfers().get();
        long[] total = accountTransfers(transfers);
        out.family("paxos_checkpoint_transferred_bytes_total", "counter", "Checkpoint bytes moved since start, as seen by the scrapes.")
                .sample("paxos_checkpoint_transferred_bytes_total", total[0], "direction", "receive")
                .sample("paxos_checkpoint_transferred_bytes_total", total[1], "direction", "send");
        out.family("paxos_checkpoint_transfer_bytes", "gauge", "Bytes moved by the checkpoint transfer in progress or the last one.");
        for (TransferStatus t : transfers) out.sample("paxos_checkpoint_transfer_bytes", t.bytes(), transferLabels(t));
        out.family("paxos_checkpoint_transfer_size_bytes", "gauge", "Bytes the transfer announced (0 until known).");
        for (TransferStatus t : transfers) out.sample("paxos_checkpoint_transfer_size_bytes", t.bytesTotal(), transferLabels(t));
        out.family("paxos_checkpoint_transfer_running", "gauge", "1 while the transfer runs, 0 once it ended.");
        for (TransferStatus t : transfers) out.sample("paxos_checkpoint_transfer_running", t.outcome() == null ? 1 : 0, transferLabels(t));
    }

    /** Adds what each transfer moved since the previous scrape; a counter built from the transfers' snapshots. */
    private synchronized long[] accountTransfers(List<TransferStatus> transfers) {
        for (TransferStatus t : transfers) {
            Long was = transferBytesSeen.put(t.transferId(), t.bytes());
            long delta = t.bytes() - (was == null ? 0 : was);
            if (delta > 0) transferredBytes["send".equals(t.direction()) ? 1 : 0] += delta;
        }
        return transferredBytes.clone();
    }

    private static String[] transferLabels(TransferStatus t) {
        return new String[] {"group", String.valueOf(t.group()), "direction", t.direction(), "peer", String.valueOf(t.peer())};
    }

    private static boolean reachable(PeerStatus p) {
        return p.lastHeardMillisAgo() >= 0 && p.lastHeardMillisAgo() <= 10L * paxos.api.spi.transport.Transport.KEEPALIVE_MILLIS_MAX;
    }

    private static String id(PeerStatus p) {
        return String.valueOf(p.nodeId());
    }

    /** The group families, apart so that this file stays about sources. */
    private static final class GroupMetrics {
        static void write(PrometheusText out, PaxosNode node, Distribution[] latency, LongAdder[] failures, long now) {
            int groups = node.groupCount();
            GroupStatus[] s = new GroupStatus[groups];
            for (int g = 0; g < groups; g++) s[g] = node.status(g);
            out.family("paxos_propose_latency_seconds", "summary", "From propose() on this node to its command executed here "
                    + "(successful proposals; quantiles over the last minute).");
            for (int g = 0; g < groups; g++) out.summary("paxos_propose_latency_seconds", latency[g].snapshot(now, NANOS), "group", str(g));
            out.family("paxos_propose_failures_total", "counter", "Proposals on this node that failed (timeout, master changed, ...).");
            for (int g = 0; g < groups; g++) out.sample("paxos_propose_failures_total", failures[g].sum(), "group", str(g));
            out.family("paxos_group_state", "gauge", "1 for the group's current lifecycle state.");
            for (GroupStatus x : s) out.sample("paxos_group_state", 1, "group", str(x.group()), "state", x.state().name());
            gauge(out, s, "paxos_group_chosen_instance", "Highest instance known chosen here with all before it.", GroupStatus::chosenInstance);
            gauge(out, s, "paxos_group_executed_instance", "Highest instance executed here by every present state machine.", GroupStatus::executedInstance);
            gauge(out, s, "paxos_group_execution_lag_instances", "Chosen minus executed instance: work known but not yet applied here.",
                    x -> Math.max(0, x.chosenInstance() - x.executedInstance()));
            gauge(out, s, "paxos_group_in_flight_instances", "Instances this node proposed and not yet chosen.", x -> x.inFlightInstances());
            gauge(out, s, "paxos_group_queued_proposals", "Proposals waiting for a batch on this node.", x -> x.queuedProposals());
            out.family("paxos_group_executed_instances_total", "counter", "Instances (batches) executed here since start.");
            for (GroupStatus x : s) out.sample("paxos_group_executed_instances_total", x.instancesExecuted(), "group", str(x.group()));
            out.family("paxos_group_executed_commands_total", "counter", "Commands executed here since start.");
            for (GroupStatus x : s) out.sample("paxos_group_executed_commands_total", x.commandsExecuted(), "group", str(x.group()));
            out.family("paxos_group_peer_chosen_lag_instances", "gauge", "Our chosen instance minus the one the peer reported, "
                    + "for reports younger than " + PeerLag.FRESH_MILLIS + " ms only (older ones say nothing about now).");
            for (GroupStatus x : s)
                x.peerChosen().forEach((peer, chosen) -> {
                    Long lag = PeerLag.lag(x, peer);
                    if (lag != null) out.sample("paxos_group_peer_chosen_lag_instances", lag, "group", str(x.group()), "peer", str(peer));
                });
            out.family("paxos_group_peer_report_age_seconds", "gauge", "Seconds since the peer last reported its chosen instance.");
            for (GroupStatus x : s)
                x.peerReportAgeMillis().forEach((peer, age) -> out.sample("paxos_group_peer_report_age_seconds", age / 1000.0,
                        "group", str(x.group()), "peer", str(peer)));
        }

        private static void gauge(PrometheusText out, GroupStatus[] s, String name, String help,
                                  java.util.function.ToLongFunction<GroupStatus> f) {
            out.family(name, "gauge", help);
            for (GroupStatus x : s) out.sample(name, f.applyAsLong(x), "group", str(x.group()));
        }

        private static String str(int i) {
            return String.valueOf(i);
        }
    }
}
