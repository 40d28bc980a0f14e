package paxos.plugins.config.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterChangedException;
import paxos.api.NotMasterException;
import paxos.api.NotMemberException;
import paxos.api.OverloadedException;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.ProposalTimeoutException;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.ValueTooLargeException;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigEntry;
import paxos.plugins.config.ConfigProperties;
import paxos.plugins.config.ConfigResult;

/**
 * The config REST semantics, independent of the servlet container so that they can be tested
 * without one: a request in, a {@link Response} out. Writes are proposed to group
 * {@link ConfigCommand#GROUP}, state machine {@link ConfigCommand#STATE_MACHINE_ID}; reads wait
 * for a read barrier of the requested consistency and then read the local store.
 *
 * <p>Called on HTTP server threads (and the Gogo shell's); blocks the calling thread up to the
 * request timeout. Never throws: every failure is a 4xx/5xx answer with a one-line message.
 */
public final class ConfigHttp {
    /** Largest accepted request body, in bytes: room for {@link ConfigProperties#MAX_BYTES} as JSON. */
    public static final int MAX_BODY_BYTES = Json.MAX_CHARS;

    /** An HTTP answer: status, optional ETag (a version), body. */
    public record Response(int status, Long version, byte[] body, String contentType) {
        static Response text(int status, String message) {
            return new Response(status, null, (message + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
        }

        static Response json(int status, Long version, String json) {
            return new Response(status, version, (json + "\n").getBytes(StandardCharsets.UTF_8), "application/json");
        }

        /** The body as text, for the shell and tests. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8).strip();
        }
    }

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
    public Response list(String consistency) {
        Optional<Response> failed = barrier(consistency);
        if (failed.isPresent()) return failed.get();
        SortedMap<String, Long> versions = store.versions(ConfigCommand.GROUP);
        return Response.json(200, null, Json.writeObject(versions));
    }

    /** {@code GET /config/{pid}}: the properties as JSON with the version as ETag, or 404. */
    public Response get(String pid, String consistency) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        Optional<Response> failed = barrier(consistency);
        if (failed.isPresent()) return failed.get();
        Optional<ConfigEntry> entry = store.get(ConfigCommand.GROUP, pid);
        if (entry.isEmpty()) return Response.text(404, "not found");
        return Response.json(200, entry.get().version(), Json.writeObject(JsonProperties.toJson(entry.get().properties())));
    }

    /** {@code PUT /config/{pid}[?force=true]} with a flat JSON object body and optional {@code If-Match}. */
    public Response put(String pid, byte[] body, String ifMatch, boolean force) {
        if (body.length > MAX_BODY_BYTES) return Response.text(413, "body too large: at most " + MAX_BODY_BYTES + " bytes");
        SortedMap<String, Object> properties;
        try {
            properties = JsonProperties.fromJson(Json.parseObject(new String(body, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            return Response.text(400, e.getMessage());
        }
        return put(pid, properties, ifMatch, force);
    }

    /** A PUT of already-typed properties (the Gogo shell's path). */
    public Response put(String pid, Map<String, ?> properties, String ifMatch, boolean force) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        ConfigCommand command;
        byte[] bytes;
        try {
            command = ConfigCommand.put(pid, properties);
            bytes = command.encode(); // checks the size cap before anything is proposed
        } catch (IllegalArgumentException e) {
            return Response.text(400, "invalid properties: " + e.getMessage());
        }
        if (!force && !catalog.isKnown(pid) && store.get(ConfigCommand.GROUP, pid).isEmpty())
            return Response.text(404, "unknown PID: no Metatype, ManagedService or configuration declares " + pid
                    + "; add ?force=true to store it anyway");
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return Response.text(400, "bad If-Match: expected a version such as \"12\"");
            command = command.ifVersion(version);
            bytes = command.encode();
        }
        return write(command, bytes);
    }

    /** {@code DELETE /config/{pid}} with optional {@code If-Match}. */
    public Response delete(String pid, String ifMatch) {
        if (!ConfigCommand.isValidPid(pid)) return invalidPid();
        ConfigCommand command = ConfigCommand.delete(pid);
        if (ifMatch != null) {
            Long version = parseVersion(ifMatch);
            if (version == null) return Response.text(400, "bad If-Match: expected a version such as \"12\"");
            command = command.ifVersion(version);
        }
        return write(command, command.encode());
    }

    private Response write(ConfigCommand command, byte[] bytes) {
        Proposed proposed;
        try {
            proposed = await(node.propose(new Proposal(ConfigCommand.GROUP, ConfigCommand.STATE_MACHINE_ID, bytes,
                    Proposal.NO_MASTER_CONDITION, timeoutMillis)));
        } catch (PaxosException e) {
            return failure(e);
        } catch (RuntimeException e) {
            return Response.text(503, "cannot propose: " + e.getMessage());
        }
        if (!(proposed.result() instanceof ConfigResult result))
            return Response.text(503, "the config state machine gave no result (is it registered for group 0?)");
        return switch (result.status()) {
            case APPLIED -> command.op() == ConfigCommand.Op.DELETE
                    ? new Response(204, null, new byte[0], null)
                    : Response.json(200, result.version(), "{\"version\":" + result.version() + "}");
            case VERSION_MISMATCH -> new Response(412, result.version() == 0 ? null : result.version(),
                    "version mismatch\n".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
            case NOT_FOUND -> Response.text(404, "not found");
            case STORE_FULL -> Response.text(507, "store full: at most " + ConfigCommand.MAX_ENTRIES + " PIDs");
            case INVALID_COMMAND -> Response.text(400, "invalid command: " + result.message());
        };
    }

    private Optional<Response> barrier(String consistency) {
        ReadConsistency level;
        try {
            level = consistency == null ? ReadConsistency.LINEARIZABLE
                    : ReadConsistency.valueOf(consistency.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.of(Response.text(400, "bad consistency: use linearizable, lease or stale"));
        }
        try {
            await(node.readBarrier(ConfigCommand.GROUP, level));
            return Optional.empty();
        } catch (PaxosException e) {
            return Optional.of(failure(e));
        } catch (RuntimeException e) {
            return Optional.of(Response.text(503, "read barrier failed: " + e.getMessage()));
        }
    }

    private <T> T await(CompletionStage<T> stage) {
        try {
            // the engine enforces the timeout too; this bound only guards against a lost completion
            return stage.toCompletableFuture().get(timeoutMillis + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof PaxosException p) throw p;
            throw new IllegalStateException(String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new ProposalTimeoutException("no answer from the engine within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProposalTimeoutException("interrupted");
        }
    }

    /** Maps engine failures to short 4xx/5xx answers; never a stack trace. */
    static Response failure(PaxosException e) {
        if (e instanceof ProposalTimeoutException)
            return Response.text(504, "timeout: the write may or may not have been applied");
        if (e instanceof ValueTooLargeException) return Response.text(413, e.getMessage());
        if (e instanceof OverloadedException) return Response.text(503, "overloaded, retry later");
        if (e instanceof MasterChangedException) return Response.text(409, e.getMessage());
        if (e instanceof NotMasterException) return Response.text(421, e.getMessage());
        if (e instanceof NotMemberException || e instanceof GroupUnavailableException)
            return Response.text(503, e.getMessage());
        return Response.text(503, e.getMessage());
    }

    private static Response invalidPid() {
        return Response.text(400, "invalid PID: use 1..200 characters of [A-Za-z0-9._-]");
    }

    /** Accepts {@code "12"} and {@code 12}; weak tags ({@code W/"12"}) are refused, they make no sense for CAS. */
    static Long parseVersion(String header) {
        String v = header.trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
        try {
            long n = Long.parseLong(v);
            return n >= 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
