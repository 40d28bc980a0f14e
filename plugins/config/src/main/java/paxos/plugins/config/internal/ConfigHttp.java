package paxos.plugins.config.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.plugin.support.http.HttpAnswer;
import paxos.plugin.support.http.PaxosCalls;
import paxos.plugin.support.json.Json;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigEntry;
import paxos.plugins.config.ConfigProperties;
import paxos.plugins.config.ConfigResult;

/**
 * The config REST semantics, independent of the servlet container so that they can be tested
 * without one: a request in, a {@link HttpAnswer} out. Writes are proposed to group
 * {@link ConfigCommand#GROUP}, state machine {@link ConfigCommand#STATE_MACHINE_ID}; reads wait
 * for a read barrier of the requested consistency and then read the local store.
 *
 * <p>Called on HTTP server threads (and the Gogo shell's); blocks the calling thread up to the
 * request timeout. Never throws: every failure is a 4xx/5xx answer with a one-line message.
 */
public final class ConfigHttp {
    /** Largest accepted request body, in bytes: room for {@link ConfigProperties#MAX_BYTES} as JSON. */
    public static final int MAX_BODY_BYTES = Json.MAX_CHARS;

    private final PaxosNode node;
    private final ConfigStateMachine store;
    private final PidCatalog catalog;
    private final long timeoutMillis;

    /**
     * @param node the local node
     * @param store the local config state machine (reads)
     * @param catalog tells which PIDs exist locally (for the unknown-PID check)
     * @param timeoutMillis how long a request waits for the cluster
     */
    ConfigHttp(PaxosNode node, ConfigStateMachine store, PidCatalog catalog, long timeoutMillis) {
        this.node = node;
        this.store = store;
        this.catalog = catalog;
        this.timeoutMillis = timeoutMillis;
    }

    /** {@code GET /config}: every stored PID with its version, as a JSON object. */
    public HttpAnswer list(String consistency) {
        Optional<HttpAnswer> failed = barrier(consistency);
        if (failed.isPresent()) return failed.get();
        SortedMap<String, Long> versions = store.versions(ConfigCommand.GROUP);
        return HttpAnswer.json(200, null, Json.writeObject(versions));
    }

    /** {@code GET /config/{pid}}: the properties as JSON with the version as ETag, or 404. */
    public HttpAnswer get(String pid, String consistency) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        Optional<HttpAnswer> failed = barrier(consistency);
        if (failed.isPresent()) return failed.get();
        Optional<ConfigEntry> entry = store.get(ConfigCommand.GROUP, pid);
        if (entry.isEmpty()) return HttpAnswer.text(404, "not found");
        return HttpAnswer.json(200, entry.get().version(), Json.writeObject(JsonProperties.toJson(entry.get().properties())));
    }

    /** {@code PUT /config/{pid}[?force=true]} with a flat JSON object body and optional {@code If-Match}. */
    public HttpAnswer put(String pid, byte[] body, String ifMatch, boolean force) {
        if (body.length > MAX_BODY_BYTES) return HttpAnswer.text(413, "body too large: at most " + MAX_BODY_BYTES + " bytes");
        SortedMap<String, Object> properties;
        try {
            properties = JsonProperties.fromJson(Json.parseObject(new String(body, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return HttpAnswer.text(400, e.getMessage());
        }
        return put(pid, properties, ifMatch, force);
    }

    /** A PUT of already-typed properties (the Gogo shell's path). */
    public HttpAnswer put(String pid, Map<String, ?> properties, String ifMatch, boolean force) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        ConfigCommand command;
        byte[] bytes;
        try {
            command = ConfigCommand.put(pid, properties);
            bytes = command.encode(); // checks the size cap before anything is proposed
        } catch (IllegalArgumentException e) {
            return HttpAnswer.text(400, "invalid properties: " + e.getMessage());
        }
        if (!force && !catalog.isKnown(pid) && store.get(ConfigCommand.GROUP, pid).isEmpty())
            return HttpAnswer.text(404, "unknown PID: no Metatype, ManagedService or configuration declares " + pid
                    + "; add ?force=true to store it anyway");
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return PaxosCalls.badIfMatch();
            command = command.ifVersion(version);
            bytes = command.encode();
        }
        return write(command, bytes);
    }

    /** {@code DELETE /config/{pid}} with optional {@code If-Match}. */
    public HttpAnswer delete(String pid, String ifMatch) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        ConfigCommand command = ConfigCommand.delete(pid);
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return PaxosCalls.badIfMatch();
            command = command.ifVersion(version);
        }
        return write(command, command.encode());
    }

    private HttpAnswer write(ConfigCommand command, byte[] bytes) {
        Proposed proposed;
        try {
            proposed = await(node.propose(new Proposal(ConfigCommand.GROUP, ConfigCommand.STATE_MACHINE_ID, bytes,
                    Proposal.NO_MASTER_CONDITION, timeoutMillis)));
        } catch (PaxosException e) {
            return failure(e);
        } catch (RuntimeException e) {
            return HttpAnswer.text(503, "cannot propose: " + e.getMessage());
        }
        if (!(proposed.result() instanceof ConfigResult result))
            return HttpAnswer.text(503, "the config state machine gave no result (is it registered for group 0?)");
        return switch (result.status()) {
            case APPLIED -> command.op() == ConfigCommand.Op.DELETE
                    ? HttpAnswer.empty(204, null)
                    : HttpAnswer.json(200, result.version(), "{\"version\":" + result.version() + "}");
            case VERSION_MISMATCH -> new HttpAnswer(412, result.version() == 0 ? null : result.version(),
                    "version mismatch\n".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
            case NOT_FOUND -> HttpAnswer.text(404, "not found");
            case STORE_FULL -> HttpAnswer.text(507, "store full: at most " + ConfigCommand.MAX_ENTRIES + " PIDs");
            case INVALID_COMMAND -> HttpAnswer.text(400, "invalid command: " + result.message());
        };
    }

    private Optional<HttpAnswer> barrier(String consistency) {
        ReadConsistency level = PaxosCalls.consistency(consistency);
        if (level == null) return Optional.of(PaxosCalls.badConsistency());
        try {
            await(node.readBarrier(ConfigCommand.GROUP, level));
            return Optional.empty();
        } catch (PaxosException e) {
            return Optional.of(failure(e));
        } catch (RuntimeException e) {
            return Optional.of(HttpAnswer.text(503, "read barrier failed: " + e.getMessage()));
        }
    }

    private <T> T await(CompletionStage<T> stage) {
        return PaxosCalls.await(stage, timeoutMillis);
    }

    /** Maps engine failures to short 4xx/5xx answers; never a stack trace. */
    static HttpAnswer failure(PaxosException e) {
        return PaxosCalls.failure(e);
    }

    private static HttpAnswer invalidPid() {
        return HttpAnswer.text(400, "invalid PID: use 1..200 characters of [A-Za-z0-9._-]");
    }

    /** Accepts {@code "12"} and {@code 12}; weak tags ({@code W/"12"}) are refused, they make no sense for CAS. */
    static Long parseVersion(String header) {
        return PaxosCalls.parseVersion(header);
    }
}
