package paxos.impl.osgi;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the node's web resources on the OSGi HTTP whiteboard: {@code GET /paxos/status}
 * (JSON of what the console page shows), {@code GET /paxos/health} ({@link HealthServlet}),
 * {@code POST /paxos/groups/{group}/statemachines/{id}} (a command to any state machine, behind the
 * console's credentials; see {@link CommandServlet}), {@code /paxos/members} (the membership,
 * behind the same login; see {@link MembersResource}) and the web console page "Paxos" (label
 * {@code paxos}).
 */
final class Web {
    private Web() {}

    static List<ServiceRegistration<?>> register(BundleContext context, NodeView view) {
        Hashtable<String, Object> status = new Hashtable<>();
        status.put("osgi.http.whiteboard.servlet.pattern", "/paxos/status");
        status.put("osgi.http.whiteboard.servlet.name", "paxos-status");
        Hashtable<String, Object> console = new Hashtable<>();
        console.put("felix.webconsole.label", "paxos");
        console.put("felix.webconsole.title", "Paxos");
        console.put("felix.webconsole.category", "Paxos");
        Hashtable<String, Object> health = new Hashtable<>();
        health.put("osgi.http.whiteboard.servlet.pattern", "/paxos/health");
        health.put("osgi.http.whiteboard.servlet.name", "paxos-health");
        Hashtable<String, Object> command = new Hashtable<>();
        command.put("osgi.http.whiteboard.servlet.pattern", "/paxos/groups/*");
        command.put("osgi.http.whiteboard.servlet.name", "paxos-command");
        Hashtable<String, Object> metrics = new Hashtable<>();
        metrics.put("osgi.http.whiteboard.servlet.pattern", "/paxos/metrics");
        metrics.put("osgi.http.whiteboard.servlet.name", "paxos-metrics");
        String user = context.getProperty("felix.webconsole.username");
        String password = context.getProperty("felix.webconsole.password");
        CommandServlet commands = new CommandServlet(new CommandResource(view.api(), view::resultEncoder, 60_000), user, password);
        Hashtable<String, Object> members = new Hashtable<>();
        // "/paxos/members/*" also matches "/paxos/members" (path info null)
        members.put("osgi.http.whiteboard.servlet.pattern", "/paxos/members/*");
        members.put("osgi.http.whiteboard.servlet.name", "paxos-members");
        return List.of(context.registerService(Servlet.class, new StatusServlet(view), status),
                context.registerService(Servlet.class, new HealthServlet(view.health()), health),
                context.registerService(Servlet.class, new ConsolePage(view), console),
                context.registerService(Servlet.class, commands, command),
                context.registerService(Servlet.class, new MembersServlet(view.members(), new BasicAuth(user, password)), members),
                context.registerService(Servlet.class, new MetricsServlet(view.metrics()), metrics));
    }

    /** {@code GET /paxos/status}. */
    static final class StatusServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient NodeView view;

        StatusServlet(NodeView view) {
            this.view = view;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] body = Json.write(view.model()).getBytes(StandardCharsets.UTF_8);
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }

    /**
     * The web console page: the console renders header and navigation around it. Behind the
     * console's login it also answers {@code POST /system/console/paxos/statemachines/{id}/activate}
     * (body: the version) with the per-group result as JSON: 200, 404 if the ID is registered in
     * no group here, 400 for a malformed ID or version.
     */
    static final class ConsolePage extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final java.util.regex.Pattern ACTIVATE = java.util.regex.Pattern.compile(".*/statemachines/([^/]+)/activate/?");
        private final transient NodeView view;

        ConsolePage(NodeView view) {
            this.view = view;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/html");
            resp.setCharacterEncoding("UTF-8");
            resp.getWriter().write(ConsoleHtml.render(view.model(), req.getParameter("message"), view.settingsFile()));
        }

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            java.util.regex.Matcher rest = ACTIVATE.matcher(req.getRequestURI());
            if (rest.matches()) {
                activate(rest.group(1), new String(req.getInputStream().readNBytes(256), StandardCharsets.UTF_8).trim(), resp);
                return;
            }
            String action = req.getParameter("action");
            String message;
            if ("pause-cleaning".equals(action)) {
                view.setCleaningPaused(true);
                message = "Log cleaning paused";
            } else if ("resume-cleaning".equals(action)) {
                view.setCleaningPaused(false);
                message = "Log cleaning resumed";
            } else if ("restart".equals(action)) {
                int id;
                try {
                    id = Integer.parseInt(req.getParameter("stateMachine"));
                } catch (NumberFormatException e) {
                    id = -1;
                }
                String bundle = view.restartStateMachine(id);
                message = bundle == null ? "No state machine " + id + " is deployed" : "Restarting bundle " + bundle;
            } else if ("activate".equals(action)) {
                try {
                    Map<String, Object> result = view.activateVersion(Integer.parseInt(req.getParameter("stateMachine").trim()),
                            String.valueOf(req.getParameter("version")).trim());
                    message = result.isEmpty() ? "State machine " + req.getParameter("stateMachine") + " is registered in no group here"
                            : "Activation per group: " + result;
                } catch (IllegalArgumentException e) {
                    message = "Refused: " + e.getMessage();
                }
            } else if ("member-put".equals(action)) {
                message = MembershipHtml.message(view.members().put("/" + String.valueOf(req.getParameter("nodeId")).trim(),
                        req.getParameter("role"), req.getParameter("replace"), req.getParameter("address")));
            } else if ("member-remove".equals(action)) {
                message = MembershipHtml.message(view.members().delete("/" + String.valueOf(req.getParameter("nodeId")).trim()));
            } else if ("save-setting".equals(action)) {
                try {
                    message = ConsoleSettings.save(view.settingsFile(), req.getParameter("key"), req.getParameter("value"));
                } catch (IllegalArgumentException | IOException e) {
                    message = "Not saved: " + e.getMessage();
                }
            } else {
                message = "Unknown action";
            }
            resp.setStatus(303);
            resp.setHeader("Location", req.getRequestURI() + "?message=" + java.net.URLEncoder.encode(message, StandardCharsets.UTF_8));
        }

        private void activate(String id, String version, HttpServletResponse resp) throws IOException {
            Map<String, Object> body;
            try {
                body = view.activateVersion(Integer.parseInt(id), version);
                if (body.isEmpty()) {
                    resp.setStatus(404);
                    body = Map.of("error", "state machine " + id + " is registered in no group of this node");
                }
            } catch (IllegalArgumentException e) {
                resp.setStatus(400);
                body = Map.of("error", String.valueOf(e.getMessage()));
            }
            byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
            resp.setContentType("application/json");
            resp.setCharacterEncoding("UTF-8");
            resp.setContentLength(bytes.length);
            resp.getOutputStream().write(bytes);
        }
    }
}
