package paxos.plugins.config.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import paxos.plugin.support.http.AnswerServlet;
import paxos.plugin.support.http.HttpAnswer;

/**
 * {@code /config} and {@code /config/*} on the OSGi HTTP whiteboard: maps HTTP to
 * {@link ConfigHttp}. Bodies are read with a bound, so an oversized upload is refused without
 * buffering it; an unexpected failure is a short 500 line, never a stack trace.
 */
final class ConfigServlet extends AnswerServlet {
    private static final long serialVersionUID = 1L;
    private final transient ConfigHttp http;

    ConfigServlet(ConfigHttp http) {
        this.http = http;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String pid = pathKey(req);
        String consistency = req.getParameter("consistency");
        send(resp, () -> pid.isEmpty() ? http.list(consistency) : http.get(pid, consistency));
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = readBounded(req.getInputStream(), ConfigHttp.MAX_BODY_BYTES);
        if (body == null) {
            send(resp, () -> HttpAnswer.text(413, "body too large: at most " + ConfigHttp.MAX_BODY_BYTES + " bytes"));
            return;
        }
        boolean force = "true".equalsIgnoreCase(req.getParameter("force"));
        send(resp, () -> http.put(pathKey(req), body, req.getHeader("If-Match"), force));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        send(resp, () -> http.delete(pathKey(req), req.getHeader("If-Match")));
    }
}
