package paxos.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.api.spi.log.SyncPolicy;
import paxos.impl.runtime.EngineConfig;

/**
 * Everything an {@link EmbeddedNode} needs to run: the engine's settings ({@link #engine()}) plus
 * those of the LevelDB log and the Netty transport it builds. Validated on construction: a bad value fails with an
 * {@link IllegalArgumentException} that names the field and the allowed range. Use
 * {@link #builder(int, String)} for defaults.
 *
 * @param nodeId this node, {@code 1..65535}; must be one of {@code members}
 * @param clusterId names the cluster; peers with another ID are refused
 * @param clusterSecret shared by every node; authenticates peers (at least 16 characters)
 * @param members every node of the cluster, all voters: the bootstrap membership of a brand-new cluster
 *     (once a group's log holds a membership, the log wins); for a joining node ({@code startMode JOIN})
 *     only where its peers are, itself included
 * @param listenHost the address the Paxos port binds to (default {@code 127.0.0.1})
 * @param dataDir this node's data directory (log, state machine data)
 * @param groupCount number of groups, {@code 1..1024}
 * @param syncPolicy {@link SyncPolicy#SYNC} unless testing
 * @param maxValueBytes largest command, {@code 1 .. 16 MiB}
 * @param batchCountMax most commands packed into one instance, {@code 1..65535}
 * @param batchBytesMax most bytes packed into one instance, {@code >= maxValueBytes}, at most 64 MiB
 * @param windowMax most instances a proposer has in flight per group, {@code 1..1024}
 * @param proposalQueueMax most proposals waiting per group before {@code OverloadedException}
 * @param holdLogCount instances kept behind the lowest state machine checkpoint, {@code >= 0}
 * @param tickMillis the engine's clock tick, {@code 1..1000}
 * @param heartbeatTicks proposer heartbeat interval, in ticks, {@code >= 1}
 * @param electionTicks silence after which another node tries to lead, in ticks; {@code > 2 x heartbeatTicks}
 * @param proposalTimeoutMillis default timeout of a proposal, {@code 1 .. 1 hour}
 * @param tls TLS settings, or {@code null} for plain TCP (still authenticated by the handshake)
 * @param startMode how a data directory without an identity is treated ({@link NodeIdentityFile}):
 *     {@code MEMBER} (the default) refuses it, {@code BOOTSTRAP} creates it (first start of a brand-new
 *     cluster only), {@code JOIN} creates it with a fresh incarnation and starts the engine joining
 *     ({@link EngineConfig#joining()}: no vote until a membership change adds this node)
 * @param forgetIncarnations peers whose recorded incarnation is forgotten at start, so that their next one
 *     is admitted: the operator's override after replacing a dead machine (see {@link paxos.transport.netty.Incarnations})
 */
public record NodeConfig(
        int nodeId,
        String clusterId,
        String clusterSecret,
        List<Member> members,
        String listenHost,
        Path dataDir,
        int groupCount,
        SyncPolicy syncPolicy,
        int maxValueBytes,
        int batchCountMax,
        int batchBytesMax,
        int windowMax,
        int proposalQueueMax,
        long holdLogCount,
        int tickMillis,
        int heartbeatTicks,
        int electionTicks,
        long proposalTimeoutMillis,
        Tls tls,
        NodeIdentityFile.StartMode startMode,
        java.util.Set<Integer> forgetIncarnations) {

    /**
     * Key and trust stores for mutual TLS between nodes.
     *
     * @param keyStore PKCS#12 or JKS holding this node's key and certificate
     * @param keyStorePassword its password
     * @param trustStore the certificates of the cluster's CA (or of every peer)
     * @param trustStorePassword its password
     */
    public record Tls(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
        /** Requires all four. */
        public Tls {
            Objects.requireNonNull(keyStore, "tls keyStore");
            Objects.requireNonNull(keyStorePassword, "tls keyStorePassword");
            Objects.requireNonNull(trustStore, "tls trustStore");
            Objects.requireNonNull(trustStorePassword, "tls trustStorePassword");
        }
    }

    /** Validates every field (the engine's through {@link EngineConfig}). */
    public NodeConfig {
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        Objects.requireNonNull(startMode, "startMode");
        forgetIncarnations = java.util.Set.copyOf(Objects.requireNonNull(forgetIncarnations, "forgetIncarnations"));
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        EngineConfig engine = new EngineConfig(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes,
                batchCountMax, batchBytesMax, windowMax, proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks,
                electionTicks, proposalTimeoutMillis);
        members = engine.members();
        if (clusterSecret.length() < 16)
            throw new IllegalArgumentException("clusterSecret must be at least 16 characters");
    }

    /** The engine's part of these settings. */
    public EngineConfig engine() {
        return new EngineConfig(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes, batchCountMax,
                batchBytesMax, windowMax, proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks, electionTicks,
                proposalTimeoutMillis, startMode == NodeIdentityFile.StartMode.JOIN);
    }

    /** This node's own member entry. */
    public Member self() {
        return engine().self();
    }

    /** The initial membership of every group. */
    public Membership membership() {
        return engine().membership();
    }

    /**
     * Parses a member list such as {@code 1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003}
     * (all voters).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static List<Member> parseMembers(String text) {
        return EngineConfig.parseMembers(text);
    }

    /** The inverse of {@link #parseMembers}. */
    public static String describe(List<Member> members) {
        return EngineConfig.describe(members);
    }

    /** A builder with this platform's defaults ({@link EngineConfig.Builder}'s for the engine) for everything but identity and members. */
    public static Builder builder(int nodeId, String members) {
        return new Builder(EngineConfig.builder(nodeId, members));
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final EngineConfig.Builder engine;
        private String clusterSecret;
        private String listenHost = "127.0.0.1";
        private SyncPolicy syncPolicy = SyncPolicy.SYNC;
        private Tls tls;
        private NodeIdentityFile.StartMode startMode = NodeIdentityFile.StartMode.MEMBER;
        private java.util.Set<Integer> forgetIncarnations = java.util.Set.of();

        Builder(EngineConfig.Builder engine) {
            this.engine = engine;
        }

        /** @return this */ public Builder clusterId(String v) { engine.clusterId(v); return this; }
        /** @return this */ public Builder clusterSecret(String v) { clusterSecret = v; return this; }
        /** @return this */ public Builder listenHost(String v) { listenHost = v; return this; }
        /** @return this */ public Builder dataDir(Path v) { engine.dataDir(v); return this; }
        /** @return this */ public Builder groupCount(int v) { engine.groupCount(v); return this; }
        /** @return this */ public Builder syncPolicy(SyncPolicy v) { syncPolicy = v; return this; }
        /** @return this */ public Builder maxValueBytes(int v) { engine.maxValueBytes(v); return this; }
        /** @return this */ public Builder batchCountMax(int v) { engine.batchCountMax(v); return this; }
        /** @return this */ public Builder batchBytesMax(int v) { engine.batchBytesMax(v); return this; }
        /** @return this */ public Builder windowMax(int v) { engine.windowMax(v); return this; }
        /** @return this */ public Builder proposalQueueMax(int v) { engine.proposalQueueMax(v); return this; }
        /** @return this */ public Builder holdLogCount(long v) { engine.holdLogCount(v); return this; }
        /** @return this */ public Builder tickMillis(int v) { engine.tickMillis(v); return this; }
        /** @return this */ public Builder heartbeatTicks(int v) { engine.heartbeatTicks(v); return this; }
        /** @return this */ public Builder electionTicks(int v) { engine.electionTicks(v); return this; }
        /** @return this */ public Builder proposalTimeoutMillis(long v) { engine.proposalTimeoutMillis(v); return this; }
        /** @return this */ public Builder tls(Tls v) { tls = v; return this; }
        /** @return this */ public Builder startMode(NodeIdentityFile.StartMode v) { startMode = v; return this; }
        /** @return this */ public Builder forgetIncarnations(java.util.Set<Integer> v) { forgetIncarnations = v; return this; }

        /** Validates and builds. */
        public NodeConfig build() {
            EngineConfig e = engine.build();
            return new NodeConfig(e.nodeId(), e.clusterId(), clusterSecret, e.members(), listenHost, e.dataDir(),
                    e.groupCount(), syncPolicy, e.maxValueBytes(), e.batchCountMax(), e.batchBytesMax(), e.windowMax(),
                    e.proposalQueueMax(), e.holdLogCount(), e.tickMillis(), e.heartbeatTicks(), e.electionTicks(),
                    e.proposalTimeoutMillis(), tls, startMode, forgetIncarnations);
        }
    }
}
