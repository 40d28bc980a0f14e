package paxos.impl.osgi;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /paxos/groups/{group}/statemachines/{id}} (see {@link CommandResource}), behind HTTP
 * Basic authentication with the web console's credentials: the framework properties
 * {@code felix.webconsole.username} and {@code felix.webconsole.password} (clear or
 * {@code {sha-256}}Base64, as the launcher sets them), defaulting like the console to
 * {@code admin}/{@code admin}. The realm is the console's, so a browser logged into the console
 * reuses its credentials.
 */
final class CommandServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient CommandResource resource;
    private final transient BasicAuth auth;

    CommandServlet(CommandResource resource, String user, String password) {
        this.resource = resource;
        this.auth = new BasicAuth(user, password);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!authorized(req.getHeader("Authorization"))) {
            send(resp, BasicAuth.challenge(resp));
            return;
        }
        send(resp, resource.post(req.getPathInfo(), req.getInputStream(), req.getContentLengthLong()));
    }

    static void send(HttpServletResponse resp, CommandResource.Answer a) throws IOException {
        resp.setStatus(a.status());
        a.headers().forEach(resp::setHeader);
        resp.setContentType(a.contentType());
        resp.setContentLength(a.body().length);
        resp.getOutputStream().write(a.body());
    }

    boolean authorized(String header) {
        return auth.authorized(header);
    }
}
