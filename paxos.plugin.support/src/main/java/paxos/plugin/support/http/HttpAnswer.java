package paxos.plugin.support.http;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP answer of a plugin's REST resource, independent of the servlet container so that the
 * resource's semantics can be tested without one.
 *
 * @param status the HTTP status
 * @param version sent as {@code ETag: "<version>"}, or null
 * @param body the bytes (not copied)
 * @param contentType or null for none (an empty body)
 * @param instance the group's executed instance at which the state machine answered, sent as
 *     {@value #INSTANCE_HEADER}; null when the answer is not the state machine's (a bad request, a
 *     timeout, an unavailable group)
 */
public record HttpAnswer(int status, Long version, byte[] body, String contentType, Long instance) {
    /** Header naming the executed instance an answer of the state machine belongs to. */
    public static final String INSTANCE_HEADER = "X-Paxos-Instance";
    /** The media type of {@link #problem} answers (RFC 9457). */
    public static final String PROBLEM_JSON = "application/problem+json";

    /** An answer that carries no instance. */
    public HttpAnswer(int status, Long version, byte[] body, String contentType) {
        this(status, version, body, contentType, null);
    }

    /** A one-line UTF-8 text answer (a newline is added). */
    public static HttpAnswer text(int status, String message) {
        return new HttpAnswer(status, null, (message + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    /** A JSON answer (a newline is added). */
    public static HttpAnswer json(int status, Long version, String json) {
        return new HttpAnswer(status, version, (json + "\n").getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** An empty answer, e.g. 204. */
    public static HttpAnswer empty(int status, Long version) {
        return new HttpAnswer(status, version, new byte[0], null);
    }

    /** An {@code application/problem+json} error: {@code {"status":..,"title":..,"detail":..}}. */
    public static HttpAnswer problem(int status, String title, String detail) {
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>(); // in this order
        fields.put("status", (long) status);
        fields.put("title", title);
        fields.put("detail", detail);
        String json = paxos.plugin.support.json.Json.writeObject(fields);
        return new HttpAnswer(status, null, (json + "\n").getBytes(StandardCharsets.UTF_8), PROBLEM_JSON);
    }

    /** This answer, stamped with the executed instance it was served at. */
    public HttpAnswer at(long executedInstance) {
        return new HttpAnswer(status, version, body, contentType, executedInstance);
    }

    /** The body as text, stripped, for shells and tests. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8).strip();
    }

    /** {@code <status>[ version=<v>][ <body>]}: how a Gogo command prints the answer. */
    public String shellLine() {
        String text = bodyText();
        return status + (version != null ? " version=" + version : "") + (text.isEmpty() ? "" : " " + text);
    }
}
