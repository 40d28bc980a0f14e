package paxos.plugins.kv.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import paxos.plugin.support.http.AnswerServlet;
import paxos.plugin.support.http.HttpAnswer;
import paxos.plugins.kv.KvCommand;

/**
 * {@code /kv/*} on the OSGi HTTP whiteboard: maps HTTP to {@link KvHttp} ({@code GET /kv?digest}
 * is the replica digest). Every answer of the KV itself carries {@value KvHttp#INSTANCE_HEADER};
 * every 503 carries {@code Retry-After}. Bodies are read with a bound, so an oversized upload is refused without
 * buffering it.
 */
final class KvServlet extends AnswerServlet {
    private static final long serialVersionUID = 1L;
    private final transient KvHttp http;

    KvServlet(KvHttp http) {
        this.http = http;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String key = pathKey(req);
        if (key.isEmpty() && req.getParameter("digest") != null) {
            send(resp, () -> http.digest(req.getParameter("consistency")));
            return;
        }
        // a LEASE read forwarded by another node is answered here or refused, never sent on
        boolean mayForward = req.getHeader(HttpLeaseForwarder.FORWARDED_HEADER) == null;
        send(resp, () -> http.get(key, req.getParameter("consistency"), mayForward));
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = readBounded(req.getInputStream(), KvCommand.MAX_VALUE_BYTES);
        if (body == null) {
            send(resp, () -> HttpAnswer.text(413, "value too large: at most " + KvCommand.MAX_VALUE_BYTES + " bytes"));
            return;
        }
        send(resp, () -> http.put(pathKey(req), body, req.getHeader("If-Match"), req.getHeader(KvHttp.MASTER_VERSION_HEADER)));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        send(resp, () -> http.delete(pathKey(req), req.getHeader("If-Match"), req.getHeader(KvHttp.MASTER_VERSION_HEADER)));
    }
}
