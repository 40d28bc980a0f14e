package paxos.impl.osgi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import paxos.api.ConflictException;
import paxos.api.GroupState;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.impl.runtime.Engine;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.ProposalTimeoutException;
import paxos.impl.runtime.MemberOperation;

/**
 * The membership endpoint without the servlet API (testable with a fake node); see
 * {@link MembersServlet} for the login. Every change is cluster-wide: one operator action becomes
 * one change per group ({@link MemberOperation}), and the answer reports each group.
 * <ul>
 *   <li>{@code GET /paxos/members}: per group the membership in force (its {@code configVersion},
 *       the log instance of the change that made it) and the members with role and incarnation.</li>
 *   <li>{@code PUT /paxos/members/{id}} body {@code host:port}, {@code ?role=voter|follower}: adds
 *       the node (a voter by default); for a member, {@code ?role=} alone promotes or demotes it.
 *       {@code ?replace=OLD} with the body: the new node takes member {@code OLD}'s place and role,
 *       as one change per group.</li>
 *   <li>{@code DELETE /paxos/members/{id}}: removes the member.</li>
 * </ul>
 * Answers: {@code 200} with {@code {"action","ok":true,"groups":{...}}} when every group has the
 * change in force (a group that already had it says {@code "unchanged":true}); {@code 400} for a bad
 * ID, address or role, or a change that does not apply to the membership in force; {@code 404} to
 * remove or replace a node that is a member of no group; {@code 409} while another change is in
 * progress in a group; {@code 503} + {@code Retry-After} while a group is not running here (the
 * membership it knows may be stale) or cannot reach its leader; {@code 504} when a group gave no
 * answer in time (the change may still come into force: look again with GET). Failures of some
 * groups name each group's status and error. Runs on the HTTP thread; blocks it at most
 * {@code waitMillis}.
 */
final class MembersResource {
    private static final Pattern PATH = Pattern.compile("/?([^/]*)/?");
    private final PaxosNode node;
    private final long waitMillis;

    MembersResource(PaxosNode node, long waitMillis) {
        this.node = node;
        this.waitMillis = waitMillis;
    }

    /** {@code GET /paxos/members}. */
    CommandResource.Answer get() {
        String notRunning = notRunning(node);
        if (notRunning != null) return notReady(notRunning);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node.nodeId());
        body.put("groups", model(node));
        return json(200, body);
    }

    /**
     * {@code PUT /paxos/members/{id}}.
     *
     * @param pathInfo the path below {@code /paxos/members}, e.g. {@code /4}
     * @param role the {@code role} query parameter, or null
     * @param replace the {@code replace} query parameter, or null
     * @param body the request body: {@code host:port}, or empty for a role change
     */
    CommandResource.Answer put(String pathInfo, String role, String replace, String body) {
        MemberOperation op;
        try {
            op = MemberOperation.put(nodeId(pathInfo), body, role, replace);
        } catch (IllegalArgumentException e) {
            return CommandResource.problem(400, "Bad Request", e.getMessage());
        }
        return apply(op);
    }

    /** {@code DELETE /paxos/members/{id}}. */
    CommandResource.Answer delete(String pathInfo) {
        MemberOperation op;
        try {
            op = MemberOperation.remove(nodeId(pathInfo));
        } catch (IllegalArgumentException e) {
            return CommandResource.problem(400, "Bad Request", e.getMessage());
        }
        return apply(op);
    }

    private CommandResource.Answer apply(MemberOperation op) {
        Map<Integer, MemberOperation.Outcome> outcomes;
        try {
            outcomes = op.apply(node, waitMillis);
        } catch (MemberOperation.NotReadyException e) {
            return notReady(e.getMessage());
        } catch (MemberOperation.UnknownMemberException e) {
            return CommandResource.problem(404, "Not Found", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notReady("interrupted while waiting; look again with GET /paxos/members");
        }
        Map<String, Object> groups = new LinkedHashMap<>();
        int status = 200;
        for (Map.Entry<Integer, MemberOperation.Outcome> e : outcomes.entrySet()) {
            MemberOperation.Outcome o = e.getValue();
            Map<String, Object> g = new LinkedHashMap<>();
            if (o.failure() == null) {
                g.put("ok", true);
                if (o.unchanged()) g.put("unchanged", true);
            } else {
                int s = status(o.failure());
                status = worse(status, s);
                g.put("ok", false);
                g.put("status", s);
                g.put("error", String.valueOf(o.failure().getMessage()));
            }
            g.putAll(group(o.membership()));
            groups.put(String.valueOf(e.getKey()), g);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", op.describe());
        body.put("ok", status == 200);
        body.put("groups", groups);
        CommandResource.Answer a = json(status, body);
        return status == 503 ? new CommandResource.Answer(503, Map.of("Retry-After", "1"), a.body(), a.contentType()) : a;
    }

    /** One group's failure as a status: what the operator should do differs (fix input, wait, retry). */
    static int status(Throwable failure) {
        if (failure instanceof ConflictException) return 409;
        if (failure instanceof IllegalArgumentException) return 400;
        if (failure instanceof ProposalTimeoutException || failure instanceof TimeoutException) return 504;
        if (failure instanceof UnsupportedOperationException) return 501;
        if (failure instanceof PaxosException) return 503; // not member, unavailable, overloaded: retry later
        return 500;
    }

    // the most urgent answer wins: a conflict or "retry" tells the operator more than one group's bad input
    private static int worse(int a, int b) {
        List<Integer> order = List.of(500, 409, 503, 504, 501, 400, 200);
        return order.indexOf(a) <= order.indexOf(b) ? a : b;
    }

    /** Per group: {@code group}, {@code configVersion}, {@code members}; also part of {@code /paxos/status}. */
    static List<Object> model(PaxosNode node) {
        List<Object> out = new ArrayList<>();
        for (int g = 0; g < node.groupCount(); g++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", g);
            Membership inForce = node.membership(g);
            m.putAll(group(inForce));
            // a change chosen and not in force yet; on a node it removes, the only sign it is leaving
            if (node instanceof Engine e) {
                Membership latest = e.latestMembership(g);
                if (!latest.equals(inForce)) m.put("pending", group(latest));
                m.put("selfMember", latest.contains(e.nodeId()));
            }
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> group(Membership membership) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("configVersion", membership.configVersion());
        List<Object> members = new ArrayList<>();
        for (Member m : membership.members()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("nodeId", m.nodeId());
            j.put("host", m.host());
            j.put("port", m.port());
            j.put("role", m.role().name().toLowerCase(Locale.ROOT));
            j.put("incarnation", m.incarnation());
            members.add(j);
        }
        g.put("members", members);
        return g;
    }

    /** The first group not RUNNING here, described, or null. */
    static String notRunning(PaxosNode node) {
        for (int g = 0; g < node.groupCount(); g++) {
            GroupState s = node.status(g).state();
            if (s != GroupState.RUNNING) return "group " + g + " is " + s + " on this node";
        }
        return null;
    }

    private static int nodeId(String pathInfo) {
        Matcher m = PATH.matcher(pathInfo == null ? "" : pathInfo);
        if (!m.matches() || m.group(1).isEmpty()) throw new IllegalArgumentException("expected /paxos/members/{nodeId}");
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("node ID must be a number in 1..65535: '" + m.group(1) + "'");
        }
    }

    private static CommandResource.Answer notReady(String why) {
        return CommandResource.problem(503, "Service Unavailable", "not ready: " + why + "; retry");
    }

    private static CommandResource.Answer json(int status, Map<String, Object> body) {
        return new CommandResource.Answer(status, Map.of(), Json.write(body).getBytes(StandardCharsets.UTF_8),
                "application/json");
    }
}
