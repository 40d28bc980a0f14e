package paxos.plugins.kv.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import paxos.plugins.kv.KvCommand;

/**
 * {@code /kv/*} on the OSGi HTTP whiteboard: maps HTTP to {@link KvHttp} ({@code GET /kv?digest}
 * is the replica digest). Every answer of the KV itself carries {@value KvHttp#INSTANCE_HEADER};
 * every 503 carries {@code Retry-After}. Bodies are read with a bound, so an oversized upload is refused without
 * buffering it.
 */
final class KvServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient KvHttp http;

    KvServlet(KvHttp http) {
        this.http = http;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String key = key(req);
        if (key.isEmpty() && req.getParameter("digest") != null) {
            send(resp, http.digest(req.getParameter("consistency")));
            return;
        }
        // a LEASE read forwarded by another node is answered here or refused, never sent on
        send(resp, http.get(key, req.getParameter("consistency"), req.getHeader(HttpLeaseForwarder.FORWARDED_HEADER) == null));
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = readBounded(req.getInputStream(), KvCommand.MAX_VALUE_BYTES);
        if (body == null) {
            send(resp, KvHttp.Response.text(413, "value too large: at most " + KvCommand.MAX_VALUE_BYTES + " bytes"));
            return;
        }
        send(resp, http.put(key(req), body, req.getHeader("If-Match"), req.getHeader(KvHttp.MASTER_VERSION_HEADER)));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        send(resp, http.delete(key(req), req.getHeader("If-Match"), req.getHeader(KvHttp.MASTER_VERSION_HEADER)));
    }

    private static String key(HttpServletRequest req) {
        String path = req.getPathInfo();
        if (path == null || path.length() <= 1) return "";
        return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }

    /** The body, or null if it is longer than {@code max}. */
    private static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    private static void send(HttpServletResponse resp, KvHttp.Response r) throws IOException {
        resp.setStatus(r.status());
        if (r.version() != null) resp.setHeader("ETag", "\"" + r.version() + "\"");
        if (r.instance() != null) resp.setHeader(KvHttp.INSTANCE_HEADER, Long.toString(r.instance()));
        if (r.status() == 503) resp.setHeader("Retry-After", "1");
        if (r.contentType() != null) resp.setContentType(r.contentType());
        resp.setContentLength(r.body().length);
        resp.getOutputStream().write(r.body());
    }
}
