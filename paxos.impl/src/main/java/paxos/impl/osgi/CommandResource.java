package paxos.impl.osgi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import paxos.api.ConflictException;
import paxos.api.GroupUnavailableException;
import paxos.api.OverloadedException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.ProposalTimeoutException;
import paxos.api.Proposed;
import paxos.api.UnknownStateMachineException;
import paxos.api.ValueTooLargeException;
import paxos.api.statemachine.EncodedResult;
import paxos.api.statemachine.ResultEncoder;

/**
 * The generic command endpoint without the servlet API (so it is testable with a fake node):
 * {@code POST /paxos/groups/{group}/statemachines/{id}}, body = the command's bytes, proposed
 * unconditionally with the node's default timeout; the answer is the state machine's result
 * (encoded by its {@link ResultEncoder}, else {@code String.valueOf} as text) with
 * {@code X-Paxos-Instance} and {@code X-Paxos-Index}. Errors are {@code application/problem+json}.
 * Runs on the HTTP thread and blocks it until the proposal completes (at most {@code waitMillis}).
 */
final class CommandResource {
    static final Pattern PATH = Pattern.compile("/([^/]+)/statemachines/([^/]+)/?");
    private final PaxosNode node;
    private final BiFunction<Integer, Integer, ResultEncoder> encoders;
    private final long waitMillis;

    /** What to send: status, extra headers, body and its content type. */
    record Answer(int status, Map<String, String> headers, byte[] body, String contentType) {}

    /**
     * @param encoders the encoder of the state machine executing {@code (group, id)} here, or null
     * @param waitMillis how long the HTTP thread waits for the proposal's stage (a backstop: the
     *     engine's own proposal timeout normally answers first)
     */
    CommandResource(PaxosNode node, BiFunction<Integer, Integer, ResultEncoder> encoders, long waitMillis) {
        this.node = node;
        this.encoders = encoders;
        this.waitMillis = waitMillis;
    }

    /**
     * @param pathInfo the path below {@code /paxos/groups}, e.g. {@code /0/statemachines/7}
     * @param declaredLength the request's Content-Length, or {@code -1} if unknown
     */
    Answer post(String pathInfo, InputStream body, long declaredLength) throws IOException {
        Matcher m = PATH.matcher(pathInfo == null ? "" : pathInfo);
        if (!m.matches()) return problem(404, "Not Found", "expected /paxos/groups/{group}/statemachines/{id}");
        int group;
        int id;
        try {
            group = Integer.parseInt(m.group(1));
            id = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return problem(400, "Bad Request", "group and state machine ID must be decimal integers: " + pathInfo);
        }
        if (group < 0 || group >= node.groupCount())
            return problem(400, "Bad Request", "group must be in 0.." + (node.groupCount() - 1) + ": " + group);
        if (id < Proposal.MIN_STATE_MACHINE_ID || id > Proposal.MAX_STATE_MACHINE_ID)
            return problem(400, "Bad Request", "state machine ID must be in 1..65535: " + id);
        int max = node.maxValueBytes();
        if (declaredLength > max) return tooLarge(declaredLength, max);
        byte[] value = body.readNBytes(max + 1); // bounded: never more than the limit plus one byte
        if (value.length > max) return tooLarge(-1, max);
        return await(group, id, value);
    }

    private Answer await(int group, int id, byte[] value) {
        Proposed p;
        try {
            p = node.propose(Proposal.of(group, id, value)).toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            return problem(400, "Bad Request", e.getMessage());
        } catch (ExecutionException e) {
            return failure(e.getCause());
        } catch (TimeoutException e) {
            return problem(504, "Gateway Timeout", "no answer within " + waitMillis + " ms; the outcome is unknown"
                    + " (the command may still be chosen and executed)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, "Service Unavailable", "interrupted while waiting; the outcome is unknown");
        }
        EncodedResult encoded;
        try {
            encoded = encode(encoders.apply(group, id), p.result());
        } catch (RuntimeException e) {
            return problem(500, "Internal Server Error", "the command was executed at instance " + p.instance()
                    + " index " + p.index() + " but its result encoder failed: " + e);
        }
        return new Answer(200, Map.of("X-Paxos-Instance", Long.toString(p.instance()), "X-Paxos-Index",
                Integer.toString(p.index())), encoded.body(), encoded.contentType());
    }

    /** The encoder's answer, or {@code String.valueOf} as text without one; shared with the Gogo command. */
    static EncodedResult encode(ResultEncoder encoder, Object result) {
        if (encoder == null) return EncodedResult.text(result);
        EncodedResult e = encoder.encode(result);
        if (e == null) throw new IllegalStateException(encoder.getClass().getName() + ".encode returned null");
        return e;
    }

    private static Answer failure(Throwable cause) {
        String detail = String.valueOf(cause.getMessage());
        if (cause instanceof UnknownStateMachineException) return problem(404, "Unknown State Machine", detail);
        if (cause instanceof ValueTooLargeException) return problem(413, "Content Too Large", detail);
        if (cause instanceof ProposalTimeoutException)
            return problem(504, "Gateway Timeout", "the outcome is unknown (the command may still be chosen): " + detail);
        if (cause instanceof ConflictException) return problem(409, "Conflict", detail);
        if (cause instanceof IllegalArgumentException) return problem(400, "Bad Request", detail);
        if (cause instanceof OverloadedException || cause instanceof GroupUnavailableException
                || cause instanceof paxos.api.PaxosException)
            return problem(503, "Service Unavailable", detail); // never a definite answer while not ready
        return problem(500, "Internal Server Error", String.valueOf(cause));
    }

    private static Answer tooLarge(long length, int max) {
        return problem(413, "Content Too Large", "the command must be at most " + max + " bytes"
                + (length >= 0 ? ": " + length : ""));
    }

    static Answer problem(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        Map<String, String> headers = status == 503 ? Map.of("Retry-After", "1") : Map.of();
        return new Answer(status, headers, Json.write(body).getBytes(StandardCharsets.UTF_8), "application/problem+json");
    }
}
