package paxos.impl.osgi;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import paxos.impl.health.HealthChecks;

/**
 * {@code GET /paxos/health}, without login (load balancers call it): 200 when every check is UP,
 * else 503 with {@code Retry-After}; the body lists every check either way.
 */
final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Seconds: about the time a lost peer or a lagging group needs to recover. */
    static final int RETRY_AFTER_SECONDS = 5;
    private final transient HealthChecks checks;

    HealthServlet(HealthChecks checks) {
        this.checks = checks;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HealthChecks.Result result = checks.run();
        if (!result.up()) {
            resp.setStatus(503);
            resp.setHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        resp.setHeader("Cache-Control", "no-store");
        byte[] body = Json.write(result.toMap()).getBytes(StandardCharsets.UTF_8);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
