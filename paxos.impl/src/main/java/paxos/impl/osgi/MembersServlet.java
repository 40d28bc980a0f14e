package paxos.impl.osgi;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code /paxos/members} and {@code /paxos/members/{id}} ({@link MembersResource}), every method
 * behind the web console's login ({@link BasicAuth}). The body of a PUT is read up to 1 KiB (an
 * address, nothing more).
 */
final class MembersServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int BODY_MAX = 1024;
    private final transient MembersResource resource;
    private final transient BasicAuth auth;

    MembersServlet(MembersResource resource, BasicAuth auth) {
        this.resource = resource;
        this.auth = auth;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (allowed(req, resp)) CommandServlet.send(resp, resource.get());
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!allowed(req, resp)) return;
        byte[] body = req.getInputStream().readNBytes(BODY_MAX + 1);
        if (body.length > BODY_MAX) {
            CommandServlet.send(resp, CommandResource.problem(413, "Content Too Large", "the body is host:port"));
            return;
        }
        CommandServlet.send(resp, resource.put(req.getPathInfo(), req.getParameter("role"), req.getParameter("replace"),
                new String(body, StandardCharsets.UTF_8)));
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (allowed(req, resp)) CommandServlet.send(resp, resource.delete(req.getPathInfo()));
    }

    private boolean allowed(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (auth.authorized(req.getHeader("Authorization"))) return true;
        CommandServlet.send(resp, BasicAuth.challenge(resp));
        return false;
    }
}
