package paxos.impl.osgi;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import paxos.impl.metrics.NodeMetrics;
import paxos.impl.metrics.PrometheusText;

/**
 * {@code GET /paxos/metrics}, without login (Prometheus scrapes it, like load balancers call
 * {@code /paxos/health}): every metric in the Prometheus text format, version 0.0.4. Each scrape
 * reads status snapshots and advances the quantile windows; it never blocks on the network.
 */
final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient NodeMetrics metrics;

    MetricsServlet(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType(PrometheusText.CONTENT_TYPE);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
