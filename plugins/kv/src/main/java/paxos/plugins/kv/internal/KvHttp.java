package paxos.plugins.kv.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import paxos.api.NotMasterException;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.plugin.support.http.HttpAnswer;
import paxos.plugin.support.http.PaxosCalls;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.KvEntry;
import paxos.plugins.kv.KvResult;

/**
 * The KV REST semantics, independent of the servlet container so that they can be tested
 * without one: a request in, a {@link HttpAnswer} out. Any node serves any key; writes are
 * proposed through the key's group, reads wait for a barrier of the requested consistency.
 *
 * <p>Called on the HTTP server's threads; blocks the calling thread up to the request timeout.
 */
public final class KvHttp {
    /**
     * Header on every answer of the KV itself (200, 204, 404, 412): the executed instance of the
     * key's group at which it was served. A 404 without it did not come from the KV.
     */
    public static final String INSTANCE_HEADER = HttpAnswer.INSTANCE_HEADER;

    /**
     * Sends a {@code LEASE} read this node cannot serve to the group's master; null when the
     * node knows no way to reach it. Called on the HTTP thread; bounded by the request timeout.
     */
    @FunctionalInterface
    public interface LeaseForwarder {
        /**
         * @param masterNodeId the master in force at this node's executed position
         * @param key the key
         * @return the master's answer, or null if this node cannot forward to that node
         */
        HttpAnswer forward(int masterNodeId, String key);
    }

    private volatile LeaseForwarder forwarder;

    private final PaxosNode node;
    private final KvStateMachine kv;
    private final int stateMachineId;
    private final long timeoutMillis;

    /**
     * @param node the local node
     * @param kv the local KV state machine (reads)
     * @param stateMachineId the KV's state machine ID in every group
     * @param timeoutMillis how long a request waits for the cluster
     */
    public KvHttp(PaxosNode node, KvStateMachine kv, int stateMachineId, long timeoutMillis) {
        this.node = node;
        this.kv = kv;
        this.stateMachineId = stateMachineId;
        this.timeoutMillis = timeoutMillis;
    }

    /** Lets LEASE reads that reach a non-master be answered by the master (null: answer 421). */
    public void forwardLeaseReads(LeaseForwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** The group that owns {@code key}: a stable hash, the same on every node. */
    public static int groupOf(String key, int groupCount) {
        return Math.floorMod(key.hashCode(), groupCount);
    }

    /** Header making a write master-conditional: a master version, or {@code current} (the one in force here). */
    public static final String MASTER_VERSION_HEADER = "X-Paxos-Master-Version";

    /** {@code PUT /kv/{key}} with optional {@code If-Match}. */
    public HttpAnswer put(String key, byte[] body, String ifMatch) {
        return put(key, body, ifMatch, null);
    }

    /** {@code DELETE /kv/{key}} with optional {@code If-Match}. */
    public HttpAnswer delete(String key, String ifMatch) {
        return delete(key, ifMatch, null);
    }

    /**
     * {@code PUT /kv/{key}} with optional {@code If-Match} and {@value #MASTER_VERSION_HEADER}: the
     * write applies only if that master version is in force at its log position (409 otherwise,
     * applied nowhere).
     */
    public HttpAnswer put(String key, byte[] body, String ifMatch, String masterVersion) {
        Optional<HttpAnswer> bad = checkKey(key);
        if (bad.isPresent()) return bad.get();
        if (body.length > KvCommand.MAX_VALUE_BYTES)
            return HttpAnswer.text(413, "value too large: at most " + KvCommand.MAX_VALUE_BYTES + " bytes");
        KvCommand command = KvCommand.put(key, body);
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return PaxosCalls.badIfMatch();
            command = command.ifVersion(version);
        }
        return write(command, masterVersion);
    }

    /** {@code DELETE /kv/{key}} with optional {@code If-Match} and {@value #MASTER_VERSION_HEADER}. */
    public HttpAnswer delete(String key, String ifMatch, String masterVersion) {
        Optional<HttpAnswer> bad = checkKey(key);
        if (bad.isPresent()) return bad.get();
        KvCommand command = KvCommand.delete(key);
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return PaxosCalls.badIfMatch();
            command = command.ifVersion(version);
        }
        return write(command, masterVersion);
    }

    /** {@code GET /kv/{key}?consistency=...}. */
    public HttpAnswer get(String key, String consistency) {
        return get(key, consistency, true);
    }

    /**
     * {@code GET /kv/{key}?consistency=...}; a {@code LEASE} read on a node that is not the
     * master goes to the master when {@code mayForward} and a {@link LeaseForwarder} knows it
     * (a forwarded request is never forwarded again: no loops while mastership moves).
     */
    public HttpAnswer get(String key, String consistency, boolean mayForward) {
        Optional<HttpAnswer> bad = checkKey(key);
        if (bad.isPresent()) return bad.get();
        ReadConsistency level = PaxosCalls.consistency(consistency);
        if (level == null) return PaxosCalls.badConsistency();
        int group = groupOf(key, node.groupCount());
        try {
            await(node.readBarrier(group, level));
        } catch (NotMasterException e) {
            HttpAnswer forwarded = mayForward ? forwardToMaster(group, key) : null;
            return forwarded != null ? forwarded : failure(e);
        } catch (PaxosException e) {
            return failure(e);
        }
        KvStateMachine.Read read = kv.read(group, key);
        Optional<KvEntry> entry = read.entry();
        if (entry.isEmpty()) return HttpAnswer.text(404, "not found").at(read.instance());
        return new HttpAnswer(200, entry.get().version(), entry.get().value(), "application/octet-stream", read.instance());
    }

    private HttpAnswer forwardToMaster(int group, String key) {
        LeaseForwarder f = forwarder;
        int master = node.master(group).nodeId();
        if (f == null || master == 0 || master == node.nodeId()) return null;
        return f.forward(master, key);
    }

    /**
     * {@code GET /kv?digest[&consistency=...]}: per group, after a read barrier of the requested
     * consistency, the number of entries and a CRC32C of the data as executed on this node, plus
     * both summed up over all groups. Two nodes that answer the same digest hold the same keys,
     * values and versions. JSON: {@code {"entries":N,"digest":"hex","groups":[{"group":0,
     * "entries":N,"digest":"hex"},...]}}. Walks the whole store: for operators and tests, not
     * for hot paths.
     */
    public HttpAnswer digest(String consistency) {
        ReadConsistency level = PaxosCalls.consistency(consistency);
        if (level == null) return PaxosCalls.badConsistency();
        StringBuilder groups = new StringBuilder();
        java.util.zip.CRC32C all = new java.util.zip.CRC32C();
        long entries = 0;
        for (int g = 0; g < node.groupCount(); g++) {
            try {
                await(node.readBarrier(g, level));
            } catch (PaxosException e) {
                return failure(e);
            }
            long[] d = kv.dataDigest(g);
            entries += d[0];
            all.update(java.nio.ByteBuffer.allocate(16).putLong(d[0]).putLong(d[1]).array());
            if (g > 0) groups.append(',');
            groups.append("{\"group\":").append(g).append(",\"entries\":").append(d[0])
                    .append(",\"digest\":\"").append(Long.toHexString(d[1])).append("\"}");
        }
        String json = "{\"entries\":" + entries + ",\"digest\":\"" + Long.toHexString(all.getValue())
                + "\",\"groups\":[" + groups + "]}\n";
        return new HttpAnswer(200, null, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private HttpAnswer write(KvCommand command, String masterHeader) {
        int group = groupOf(command.key(), node.groupCount());
        long masterVersion = Proposal.NO_MASTER_CONDITION;
        if (masterHeader != null) {
            masterVersion = masterHeader.trim().equalsIgnoreCase("current") ? node.master(group).version()
                    : parseVersion(masterHeader) == null ? -2 : parseVersion(masterHeader);
            if (masterVersion < 0)
                return HttpAnswer.text(masterVersion == -2 ? 400 : 409, masterVersion == -2
                        ? "bad " + MASTER_VERSION_HEADER + ": expected a master version or 'current'"
                        : "group " + group + " has no master");
        }
        Proposed proposed;
        try {
            proposed = await(node.propose(new Proposal(group, stateMachineId, command.encode(),
                    masterVersion, timeoutMillis)));
        } catch (PaxosException e) {
            return failure(e);
        }
        if (!(proposed.result() instanceof KvResult result))
            return HttpAnswer.text(500, "kv state machine gave no result");
        return answer(command, result).at(proposed.instance());
    }

    private static HttpAnswer answer(KvCommand command, KvResult result) {
        return switch (result.status()) {
            case APPLIED -> command.op() == KvCommand.Op.DELETE
                    ? HttpAnswer.empty(204, null)
                    : HttpAnswer.empty(200, result.version());
            case VERSION_MISMATCH -> new HttpAnswer(412, result.version() == 0 ? null : result.version(),
                    "version mismatch\n".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
            case NOT_FOUND -> HttpAnswer.text(404, "not found");
            case INVALID_COMMAND -> HttpAnswer.text(400, "invalid command");
        };
    }

    private <T> T await(CompletionStage<T> stage) {
        return PaxosCalls.await(stage, timeoutMillis);
    }

    /** Maps engine failures to short 4xx/5xx answers; never a stack trace. */
    static HttpAnswer failure(PaxosException e) {
        return PaxosCalls.failure(e);
    }

    private static Optional<HttpAnswer> checkKey(String key) {
        if (key == null || key.isEmpty()) return Optional.of(HttpAnswer.text(400, "missing key: use /kv/{key}"));
        if (key.getBytes(StandardCharsets.UTF_8).length > KvCommand.MAX_KEY_BYTES)
            return Optional.of(HttpAnswer.text(414, "key too long: at most " + KvCommand.MAX_KEY_BYTES + " bytes"));
        return Optional.empty();
    }

    /** Accepts {@code "12"}, {@code W/"12"} is refused (weak tags make no sense for CAS), {@code 12}. */
    static Long parseVersion(String header) {
        return PaxosCalls.parseVersion(header);
    }
}
