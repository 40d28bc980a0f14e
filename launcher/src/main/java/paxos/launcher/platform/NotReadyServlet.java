package paxos.launcher.platform;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The lowest-ranked servlet for a plugin's REST path ({@code /kv/*}, {@code /config/*}): it
 * answers only while no plugin servlet is registered for that path (the node is starting, the
 * plugin's bundle is stopped or being replaced), always with {@code 503} and
 * {@code Retry-After}. Without it the HTTP server would answer {@code 404}, which a client
 * cannot tell from "key absent". It is registered by the platform bundle at start level 1, so
 * it is in place before the HTTP server (level 10) serves its first request; a plugin servlet
 * for the same pattern (default ranking 0) shadows it on the HTTP whiteboard and uncovers it
 * again when it goes away.
 */
final class NotReadyServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Seconds a client is asked to wait before retrying. */
  static final String RETRY_AFTER_SECONDS = "1";

  private final String what;

  private NotReadyServlet(String what) {
    this.what = what;
  }

  /** Registers the fallback for {@code pattern}, naming the service in its answer. */
  static ServiceRegistration<Servlet> register(BundleContext context, String pattern, String what) {
    Hashtable<String, Object> props = new Hashtable<>();
    props.put("osgi.http.whiteboard.servlet.pattern", pattern);
    props.put("osgi.http.whiteboard.servlet.name", "paxos-not-ready" + pattern.replace("/*", "").replace('/', '-'));
    props.put(Constants.SERVICE_RANKING, Integer.MIN_VALUE);
    return context.registerService(Servlet.class, new NotReadyServlet(what), props);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    byte[] body = ("not ready: the " + what + " is not available on this node (starting, or its bundle is"
        + " stopped); retry, or see /paxos/ready\n").getBytes(StandardCharsets.UTF_8);
    resp.setStatus(503);
    resp.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentType("text/plain; charset=utf-8");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }
}
