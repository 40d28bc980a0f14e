package paxos.impl.osgi;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Renders the "Paxos" web console page from the status model. Escapes everything it prints. */
final class ConsoleHtml {
    private ConsoleHtml() {}

    static String render(Map<String, Object> model, String message) {
        return render(model, message, null);
    }

    /** @param settingsFile the node's local settings file, or {@code null} (see {@link ConsoleSettings}) */
    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> model, String message, String settingsFile) {
        StringBuilder b = new StringBuilder();
        b.append("<div id='paxos-page'>");
        if (message != null) b.append("<p id='paxos-message' class='statline'>").append(esc(message)).append("</p>");
        b.append("<p class='statline'>Node <b id='paxos-node'>").append(model.get("node")).append("</b> of cluster ")
                .append(esc(String.valueOf(model.get("cluster")))).append("</p>");
        if (model.get("health") instanceof Map<?, ?> health) b.append(health(health));
        b.append("<h2>Groups</h2><table id='paxos-groups' class='tablelayout nicetable'><thead><tr>")
                .append("<th>Group</th><th>State</th><th>Chosen</th><th>Executed</th><th>Retained from</th><th>Leader</th>")
                .append("<th>Master (version, lease left)</th><th>In flight</th><th>Queued</th><th>Mean batch</th><th>State machines</th><th>Peer lag (chosen, as reported)</th>")
                .append("</tr></thead><tbody>");
        for (Object o : (List<Object>) model.get("groups")) {
            Map<String, Object> g = (Map<String, Object>) o;
            Map<String, Object> master = (Map<String, Object>) g.get("master");
            b.append("<tr data-group='").append(g.get("group")).append(ConsoleLive.unhealthy(g) ? "' class='paxos-unhealthy'>" : "'>")
                    .append(td("group", g.get("group"))).append(td("state", g.get("state")))
                    .append(td("chosen", g.get("chosenInstance"))).append(td("executed", g.get("executedInstance")))
                    .append(td("retained", g.get("minRetainedInstance"))).append(td("leader", Boolean.FALSE.equals(g.get("quorumReachable"))
                            ? g.get("leader") + " (no quorum reachable: writes answer 503)" : g.get("leader")))
                    .append(td("master", master.get("node") + " (v" + master.get("version")
                            + (master.containsKey("leaseRemainingMillis") ? ", " + master.get("leaseRemainingMillis") + " ms" : "") + ")"))
                    .append(td("inflight", g.get("inFlightInstances"))).append(td("queued", g.get("queuedProposals")))
                    .append(td("batch", g.get("meanBatch")));
            StringBuilder sms = new StringBuilder();
            for (Object s : (List<Object>) g.get("stateMachines")) {
                Map<String, Object> sm = (Map<String, Object>) s;
                sms.append(esc(sm.get("id") + (sm.get("version") == null ? "" : "@" + sm.get("version")) + " " + sm.get("name")
                        + ": " + sm.get("state") + " @" + sm.get("checkpointInstance")
                        + (sm.containsKey("failure") ? " (" + sm.get("failure") + ")" : ""))).append("<br>");
            }
            b.append("<td class='sms'>").append(sms).append("</td>");
            b.append(td("lag", ConsoleLive.peerLag(g))).append("</tr>");
        }
        b.append("</tbody></table>");
        b.append(MembershipHtml.html(model));
        b.append(ReplicaModel.html(model));
        b.append(ConsoleLive.html(model));
        if (model.get("settings") != null) b.append(ConsoleSettings.html(model, settingsFile));
        b.append("<h2>Peers</h2><table id='paxos-peers' class='tablelayout nicetable'><thead><tr>")
                .append("<th>Node</th><th>Address</th><th>Reachable (last heard)</th><th>Connected</th><th>Authenticated</th>")
                .append("<th>Last error</th><th>Error at (UTC)</th></tr></thead><tbody>");
        for (Object o : (List<Object>) model.get("peers")) {
            Map<String, Object> p = (Map<String, Object>) o;
            Object errorAt = p.get("lastErrorAtMillis");
            b.append("<tr data-peer='").append(p.get("node")).append("' data-reachable='").append(p.get("reachable"))
                    .append("'>").append(td("node", p.get("node"))).append(td("address", p.get("address")))
                    .append(td("reachable", liveness(p))).append(td("connected", p.get("connected")))
                    .append(td("authenticated", p.get("authenticated"))).append(td("error", p.get("lastError")))
                    .append(td("errorAt", errorAt == null ? "" : Instant.ofEpochMilli((Long) errorAt).toString()))
                    .append("</tr>");
        }
        b.append("</tbody></table>");
        Map<String, Object> log = (Map<String, Object>) model.get("log");
        boolean paused = Boolean.TRUE.equals(log.get("cleaningPaused"));
        b.append("<h2>Log</h2><p class='statline' id='paxos-log'>fsyncs ").append(log.get("fsyncs")).append(", records ")
                .append(log.get("recordsAppended")).append(", cleaning <span id='paxos-cleaning'>")
                .append(paused ? "paused" : "running").append("</span></p>");
        b.append("<form method='post'><input type='hidden' name='action' value='")
                .append(paused ? "resume-cleaning" : "pause-cleaning").append("'><button id='paxos-cleaning-toggle' type='submit'>")
                .append(paused ? "Continue log cleaning" : "Pause log cleaning").append("</button></form>");
        b.append("<h2>Restart a state machine's bundle</h2><form method='post'><input type='hidden' name='action' value='restart'>")
                .append("<input id='paxos-restart-id' name='stateMachine' size='6' placeholder='ID'> ")
                .append("<button id='paxos-restart' type='submit'>Restart bundle</button></form>");
        b.append("<h2>Activate a state machine version</h2><form method='post'><input type='hidden' name='action' value='activate'>")
                .append("<input id='paxos-activate-id' name='stateMachine' size='6' placeholder='ID'> ")
                .append("<input id='paxos-activate-version' name='version' size='16' placeholder='version'> ")
                .append("<button id='paxos-activate' type='submit'>Activate in every group</button></form>");
        b.append(CommandFormHtml.html());
        b.append("</div>");
        return b.toString();
    }

    /** "yes (40 ms ago)", "NO (silent 3200 ms)" or "NO (never heard)". */
    private static String liveness(Map<String, Object> peer) {
        long ago = ((Number) peer.get("lastHeardMillisAgo")).longValue();
        String heard = ago < 0 ? "never heard" : Boolean.TRUE.equals(peer.get("reachable")) ? ago + " ms ago" : "silent " + ago + " ms";
        return (Boolean.TRUE.equals(peer.get("reachable")) ? "yes" : "NO") + " (" + heard + ")";
    }

    private static String td(String cls, Object v) {
        return "<td class='" + cls + "'>" + esc(String.valueOf(v)) + "</td>";
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&#39;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** One line: the health status of {@code GET /paxos/health} and the failing checks with their detail. */
    private static String health(Map<?, ?> health) {
        List<String> failing = ((List<?>) health.get("checks")).stream().map(c -> (Map<?, ?>) c)
                .filter(c -> "DOWN".equals(c.get("status"))).map(c -> c.get("name") + ": " + c.get("detail")).toList();
        return "<p class='statline' id='paxos-health'>Health (GET /paxos/health) <b>" + health.get("status") + "</b> "
                + esc(String.valueOf(failing)) + "</p>";
    }
}
