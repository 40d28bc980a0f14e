package paxos.plugins.config.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code /config} and {@code /config/*} on the OSGi HTTP whiteboard: maps HTTP to
 * {@link ConfigHttp}. Bodies are read with a bound, so an oversized upload is refused without
 * buffering it; an unexpected failure is a short 500 line, never a stack trace.
 */
final class ConfigServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final RateLimitedLog ERRORS = new RateLimitedLog(System.getLogger(ConfigServlet.class.getName()), 10_000);
    private final transient ConfigHttp http;

    ConfigServlet(ConfigHttp http) {
        this.http = http;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String pid = pid(req);
        String consistency = req.getParameter("consistency");
        send(resp, () -> pid.isEmpty() ? http.list(consistency) : http.get(pid, consistency));
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = readBounded(req.getInputStream(), ConfigHttp.MAX_BODY_BYTES);
        if (body == null) {
            send(resp, () -> ConfigHttp.Response.text(413, "body too large: at most " + ConfigHttp.MAX_BODY_BYTES + " bytes"));
            return;
        }
        boolean force = "true".equalsIgnoreCase(req.getParameter("force"));
        send(resp, () -> http.put(pid(req), body, req.getHeader("If-Match"), force));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        send(resp, () -> http.delete(pid(req), req.getHeader("If-Match")));
    }

    private static String pid(HttpServletRequest req) {
        String path = req.getPathInfo();
        if (path == null || path.length() <= 1) return "";
        return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }

    /** The body, or null if it is longer than {@code max}. */
    private static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    private static void send(HttpServletResponse resp, Supplier<ConfigHttp.Response> handler) throws IOException {
        ConfigHttp.Response r;
        try {
            r = handler.get();
        } catch (RuntimeException e) {
            ERRORS.log(Level.WARNING, "config REST request failed: " + e);
            r = ConfigHttp.Response.text(500, "internal error: " + e.getClass().getSimpleName());
        }
        resp.setStatus(r.status());
        if (r.version() != null) resp.setHeader("ETag", "\"" + r.version() + "\"");
        if (r.status() == 503) resp.setHeader("Retry-After", "1"); // not ready or overloaded: never a definite answer
        if (r.contentType() != null) resp.setContentType(r.contentType());
        resp.setContentLength(r.body().length);
        resp.getOutputStream().write(r.body());
    }
}
