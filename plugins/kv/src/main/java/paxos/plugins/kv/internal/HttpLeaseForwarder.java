package paxos.plugins.kv.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import paxos.plugin.support.http.HttpAnswer;

/**
 * Forwards a {@code LEASE} read to the master's own {@code /kv/{key}?consistency=lease} over
 * HTTP (a server-side proxy: the client needs neither to know the master nor to follow
 * redirects) and hands its answer back unchanged: status, ETag, {@value KvHttp#INSTANCE_HEADER},
 * body. The forwarded request carries {@value #FORWARDED_HEADER}, so the master answers it
 * itself (421 if it lost its lease meanwhile) and never forwards it again.
 *
 * <p>The nodes' HTTP addresses come from the framework property {@value #MEMBERS_PROPERTY}
 * ({@code id@host:port,...}, set by the launchers); a node it does not list is not forwarded to.
 * Thread-safe; every call is bounded by the request timeout.
 */
final class HttpLeaseForwarder implements KvHttp.LeaseForwarder {
    /** Framework property listing every node's HTTP address: {@code 1@127.0.0.1:8081,...}. */
    static final String MEMBERS_PROPERTY = "paxos.http.members";
    /** Request header marking a forwarded read: the forwarding node's ID. */
    static final String FORWARDED_HEADER = "X-Paxos-Forwarded";

    private final Map<Integer, String> baseUrls;
    private final int selfId;
    private final long timeoutMillis;
    private final HttpClient client;

    HttpLeaseForwarder(Map<Integer, String> baseUrls, int selfId, long timeoutMillis) {
        this.baseUrls = Map.copyOf(baseUrls);
        this.selfId = selfId;
        this.timeoutMillis = timeoutMillis;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(Math.min(timeoutMillis, 2_000)))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Parses {@value #MEMBERS_PROPERTY}: {@code id@host:port} entries separated by commas.
     *
     * @return node ID to {@code http://host:port}; empty for null or blank text
     * @throws IllegalArgumentException naming the bad entry
     */
    static Map<Integer, String> parseMembers(String text) {
        Map<Integer, String> out = new HashMap<>();
        if (text == null || text.isBlank()) return out;
        for (String entry : text.split(",")) {
            String e = entry.trim();
            int at = e.indexOf('@');
            int colon = e.lastIndexOf(':');
            if (at < 1 || colon < at + 2 || colon == e.length() - 1)
                throw new IllegalArgumentException(MEMBERS_PROPERTY + ": expected id@host:port, got '" + e + "'");
            try {
                int id = Integer.parseInt(e.substring(0, at));
                int port = Integer.parseInt(e.substring(colon + 1));
                out.put(id, "http://" + e.substring(at + 1, colon) + ":" + port);
            } catch (NumberFormatException nfe) {
                throw new IllegalArgumentException(MEMBERS_PROPERTY + ": expected id@host:port, got '" + e + "'");
            }
        }
        return out;
    }

    @Override
    public HttpAnswer forward(int masterNodeId, String key) {
        String base = baseUrls.get(masterNodeId);
        if (base == null) return null;
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/kv/"
                        + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20") + "?consistency=lease"))
                .timeout(Duration.ofMillis(timeoutMillis))
                .header(FORWARDED_HEADER, Integer.toString(selfId))
                .GET().build();
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Long version = r.headers().firstValue("ETag").map(KvHttp::parseVersion).orElse(null);
            Long instance = r.headers().firstValue(KvHttp.INSTANCE_HEADER).map(Long::valueOf).orElse(null);
            return new HttpAnswer(r.statusCode(), version, r.body(),
                    r.headers().firstValue("Content-Type").orElse(null), instance);
        } catch (IOException e) {
            return HttpAnswer.text(503, "lease read: master " + masterNodeId + " at " + base
                    + " did not answer (" + e.getMessage() + "); retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HttpAnswer.text(503, "interrupted");
        }
    }
}
