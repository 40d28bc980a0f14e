package paxos.plugin.support.http;

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
 * A servlet base for a plugin's REST resource that computes {@link HttpAnswer}s: sends them with
 * their {@code ETag}, {@value HttpAnswer#INSTANCE_HEADER} and, on every 503, {@code Retry-After}; turns
 * an unexpected exception into a short 500 line (logged at most once per 10 s), never a stack
 * trace; reads bodies with a bound, so an oversized upload is refused without buffering it.
 * Called on the HTTP server's threads.
 */
public abstract class AnswerServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final RateLimitedLog ERRORS = new RateLimitedLog(System.getLogger(AnswerServlet.class.getName()), 10_000);

    /** The path after the servlet's pattern, URL-decoded, without the leading {@code /}; empty if none. */
    protected static String pathKey(HttpServletRequest req) {
        String path = req.getPathInfo();
        if (path == null || path.length() <= 1) return "";
        return URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    }

    /** The body, or null if it is longer than {@code max} bytes (only {@code max + 1} are read). */
    protected static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    /** Computes the answer and sends it; a {@link RuntimeException} becomes a 500 line. */
    protected static void send(HttpServletResponse resp, Supplier<HttpAnswer> handler) throws IOException {
        HttpAnswer r;
        try {
            r = handler.get();
        } catch (RuntimeException e) {
            ERRORS.log(Level.WARNING, "REST request failed: " + e);
            r = HttpAnswer.text(500, "internal error: " + e.getClass().getSimpleName());
        }
        resp.setStatus(r.status());
        if (r.version() != null) resp.setHeader("ETag", "\"" + r.version() + "\"");
        if (r.instance() != null) resp.setHeader(HttpAnswer.INSTANCE_HEADER, Long.toString(r.instance()));
        if (r.status() == 503) resp.setHeader("Retry-After", "1"); // not ready or overloaded: never a definite answer
        if (r.contentType() != null) resp.setContentType(r.contentType());
        resp.setContentLength(r.body().length);
        resp.getOutputStream().write(r.body());
    }
}
