package paxos.impl.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/**
 * The engine's own settings, validated on construction: a bad value fails with an
 * {@link IllegalArgumentException} that names the field and the allowed range. Storage and
 * transport settings are not here: the engine receives a ready {@code LogStore} and
 * {@code Transport} (built by the embedded node, or DS services in OSGi). Use
 * {@link #builder(int, String)} for defaults.
 *
 * @param nodeId this node, {@code 1..65535}; must be one of {@code members}
 * @param clusterId names the cluster (checked against the log's recorded owner)
 * @param members every node of the cluster (all voters in this version)
 * @param dataDir the engine's data directory (checkpoint staging, the identity marker)
 * @param groupCount number of groups, {@code 1..1024}
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
 * @param joining started to join a running cluster ({@code --join} on a fresh data directory): the
 *     configured {@code members} are only where to find the peers; this node is no voter of any
 *     group until a chosen membership change adds it (or replaces another node by it), and waits
 *     for that. Once the log holds a membership naming this node, the log wins and the flag does
 *     not matter.
 */
public record EngineConfig(
        int nodeId,
        String clusterId,
        List<Member> members,
        Path dataDir,
        int groupCount,
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
        boolean joining,
        String incarnation) {

    /** The settings of a node without an incarnation. */
    public EngineConfig(int nodeId, String clusterId, List<Member> members, Path dataDir, int groupCount,
                        int maxValueBytes, int batchCountMax, int batchBytesMax, int windowMax, int proposalQueueMax,
                        long holdLogCount, int tickMillis, int heartbeatTicks, int electionTicks,
                        long proposalTimeoutMillis, boolean joining) {
        this(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes, batchCountMax, batchBytesMax, windowMax,
                proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks, electionTicks, proposalTimeoutMillis, joining,
                null);
    }

    /** The settings of a node that is not joining (every member of the bootstrap configuration). */
    public EngineConfig(int nodeId, String clusterId, List<Member> members, Path dataDir, int groupCount,
                        int maxValueBytes, int batchCountMax, int batchBytesMax, int windowMax, int proposalQueueMax,
                        long holdLogCount, int tickMillis, int heartbeatTicks, int electionTicks,
                        long proposalTimeoutMillis) {
        this(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes, batchCountMax, batchBytesMax, windowMax,
                proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks, electionTicks, proposalTimeoutMillis, false);
    }

    /** Validates every field. */
    public EngineConfig {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(dataDir, "dataDir");
        members = members.stream().sorted(Comparator.comparingInt(Member::nodeId)).toList();
        new Membership(0, members); // rejects duplicates
        range("nodeId", nodeId, 1, 65_535);
        if (members.stream().noneMatch(m -> m.nodeId() == nodeId))
            throw new IllegalArgumentException("nodeId " + nodeId + " is not one of the members " + describe(members));
        if (clusterId.isBlank() || clusterId.length() > 64)
            throw new IllegalArgumentException("clusterId must be 1..64 characters");
        range("groupCount", groupCount, 1, 1024);
        range("maxValueBytes", maxValueBytes, 1, 16 << 20);
        range("batchCountMax", batchCountMax, 1, 65_535);
        range("batchBytesMax", batchBytesMax, maxValueBytes, 64 << 20);
        range("windowMax", windowMax, 1, 1024);
        range("proposalQueueMax", proposalQueueMax, 1, 1_000_000);
        if (holdLogCount < 0) throw new IllegalArgumentException("holdLogCount must be >= 0: " + holdLogCount);
        range("tickMillis", tickMillis, 1, 1000);
        range("heartbeatTicks", heartbeatTicks, 1, 10_000);
        if (electionTicks <= 2 * heartbeatTicks)
            throw new IllegalArgumentException("electionTicks (" + electionTicks
                    + ") must exceed twice heartbeatTicks (" + heartbeatTicks + ")");
        if (proposalTimeoutMillis < 1 || proposalTimeoutMillis > 3_600_000)
            throw new IllegalArgumentException("proposalTimeoutMillis must be in 1..3600000: " + proposalTimeoutMillis);
        incarnation = incarnation == null || incarnation.isBlank() ? null : incarnation.trim().toLowerCase(java.util.Locale.ROOT);
        if (incarnation != null && (incarnation.length() > 64 || !incarnation.matches("[0-9a-f]+")))
            throw new IllegalArgumentException("incarnation must be 1..64 hex digits: " + incarnation);
    }

    /** These settings for a node whose data directory has incarnation {@code incarnation} (blank or null: none). */
    public EngineConfig withIncarnation(String incarnation) {
        return new EngineConfig(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes, batchCountMax,
                batchBytesMax, windowMax, proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks, electionTicks,
                proposalTimeoutMillis, joining, incarnation);
    }

    /** This node's own member entry. */
    public Member self() {
        return members.stream().filter(m -> m.nodeId() == nodeId).findFirst().orElseThrow();
    }

    /** The initial membership of every group. */
    public Membership membership() {
        return new Membership(0, members);
    }

    /**
     * The smallest {@code Transport.maxMessageBytes()} the engine can work with: one full batch of
     * {@link #batchBytesMax} plus the message header. Give the transport more (twice a batch) so
     * that catch-up replies carry several instances.
     */
    public int messageBytesNeeded() {
        return batchBytesMax + (64 << 10);
    }

    /** The smallest {@code LogStore.maxValueBytes()} the engine can work with: one full batch plus its header. */
    public int recordBytesNeeded() {
        return batchBytesMax + 4096;
    }

    /**
     * Parses a member list such as {@code 1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003}
     * (all voters).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static List<Member> parseMembers(String text) {
        List<Member> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == entry.length() - 1)
                throw new IllegalArgumentException("bad member '" + entry + "': expected id@host:port");
            try {
                out.add(new Member(Integer.parseInt(entry.substring(0, at)), entry.substring(at + 1, colon),
                        Integer.parseInt(entry.substring(colon + 1)), MemberRole.VOTER));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad member '" + entry + "': id and port must be numbers");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no members given");
        return out;
    }

    /** The inverse of {@link #parseMembers}. */
    public static String describe(List<Member> members) {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            if (b.length() > 0) b.append(',');
            b.append(m.nodeId()).append('@').append(m.host()).append(':').append(m.port());
        }
        return b.toString();
    }

    /** A builder with this platform's defaults for everything but identity and members. */
    public static Builder builder(int nodeId, String members) {
        return new Builder(nodeId, parseMembers(members));
    }

    static void range(String name, long value, long min, long max) {
        if (value < min || value > max)
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ": " + value);
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final int nodeId;
        private final List<Member> members;
        private String clusterId = "paxos";
        private Path dataDir;
        private int groupCount = 1;
        private int maxValueBytes = 1 << 20;
        private int batchCountMax = 512;
        private int batchBytesMax = 4 << 20;
        // a small window makes proposals queue into larger batches while instances are in flight:
        // on loopback 4 gave ~2.5x the throughput of 32 at 64 clients (fewer messages and records per
        // command); raise it for high-latency links, where more instances in flight pay off
        private int windowMax = 4;
        private int proposalQueueMax = 20_000;
        private long holdLogCount = 1_000_000;
        private int tickMillis = 10;
        private int heartbeatTicks = 10;
        private int electionTicks = 50;
        private long proposalTimeoutMillis = 10_000;
        private boolean joining;
        private String incarnation;

        Builder(int nodeId, List<Member> members) {
            this.nodeId = nodeId;
            this.members = members;
        }

        /** @return this */ public Builder clusterId(String v) { clusterId = v; return this; }
        /** @return this */ public Builder dataDir(Path v) { dataDir = v; return this; }
        /** @return this */ public Builder groupCount(int v) { groupCount = v; return this; }
        /** @return this */ public Builder maxValueBytes(int v) { maxValueBytes = v; return this; }
        /** @return this */ public Builder batchCountMax(int v) { batchCountMax = v; return this; }
        /** @return this */ public Builder batchBytesMax(int v) { batchBytesMax = v; return this; }
        /** @return this */ public Builder windowMax(int v) { windowMax = v; return this; }
        /** @return this */ public Builder proposalQueueMax(int v) { proposalQueueMax = v; return this; }
        /** @return this */ public Builder holdLogCount(long v) { holdLogCount = v; return this; }
        /** @return this */ public Builder tickMillis(int v) { tickMillis = v; return this; }
        /** @return this */ public Builder heartbeatTicks(int v) { heartbeatTicks = v; return this; }
        /** @return this */ public Builder electionTicks(int v) { electionTicks = v; return this; }
        /** @return this */ public Builder proposalTimeoutMillis(long v) { proposalTimeoutMillis = v; return this; }
        /** @return this */ public Builder joining(boolean v) { joining = v; return this; }
        /** @return this */ public Builder incarnation(String v) { incarnation = v; return this; }

        /** Validates and builds. */
        public EngineConfig build() {
            return new EngineConfig(nodeId, clusterId, members, dataDir, groupCount, maxValueBytes, batchCountMax,
                    batchBytesMax, windowMax, proposalQueueMax, holdLogCount, tickMillis, heartbeatTicks,
                    electionTicks, proposalTimeoutMillis, joining, incarnation);
        }
    }
}
