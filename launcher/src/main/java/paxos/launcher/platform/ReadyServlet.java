package paxos.launcher.platform;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * {@code GET /paxos/ready} (no login): {@code 200 {"ready":true}} when {@link Readiness} holds,
 * else {@code 503} with {@code Retry-After} and {@code {"ready":false,"reasons":[...]}}. The
 * launchers wait for it before saying a node is up; load balancers can use it too.
 */
final class ReadyServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  /** The path. */
  static final String PATH = "/paxos/ready";

  private final transient Readiness readiness;

  private ReadyServlet(Readiness readiness) {
    this.readiness = readiness;
  }

  static ServiceRegistration<Servlet> register(BundleContext context, Readiness readiness) {
    Hashtable<String, Object> props = new Hashtable<>();
    props.put("osgi.http.whiteboard.servlet.pattern", PATH);
    props.put("osgi.http.whiteboard.servlet.name", "paxos-ready");
    return context.registerService(Servlet.class, new ReadyServlet(readiness), props);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    List<String> reasons = readiness.reasons();
    StringBuilder json = new StringBuilder("{\"ready\":").append(reasons.isEmpty());
    if (!reasons.isEmpty()) {
      json.append(",\"reasons\":[");
      for (int i = 0; i < reasons.size(); i++) {
        json.append(i == 0 ? "" : ",").append('"').append(escape(reasons.get(i))).append('"');
      }
      json.append(']');
      resp.setHeader("Retry-After", NotReadyServlet.RETRY_AFTER_SECONDS);
    }
    byte[] body = json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    resp.setStatus(reasons.isEmpty() ? 200 : 503);
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentType("application/json");
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
