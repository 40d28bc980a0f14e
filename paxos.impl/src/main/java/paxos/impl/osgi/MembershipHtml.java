package paxos.impl.osgi;

import java.util.List;
import java.util.Map;

/**
 * The console page's "Membership" section: per group the membership in force (the instance of
 * the change that made it, each member with role and incarnation) and the forms that change it
 * cluster-wide (add / change role, replace, remove; the same as {@code /paxos/members}, see
 * {@link MembersResource}), and a warning when the configured members disagree with the log's
 * (status field {@code configuredMembersIgnored}). The forms post to the page itself (actions {@code member-put} and
 * {@code member-remove}); the answer comes back as the page's message.
 */
final class MembershipHtml {
    private MembershipHtml() {}

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> model) {
        if (!(model.get("membership") instanceof List<?> groups)) return "";
        StringBuilder b = new StringBuilder("<h2>Membership</h2><table id='paxos-membership' class='tablelayout nicetable'>")
                .append("<thead><tr><th>Group</th><th>In force since instance</th><th>Members (node@address role incarnation)</th>")
                .append("</tr></thead><tbody>");
        for (Object o : groups) {
            Map<String, Object> g = (Map<String, Object>) o;
            StringBuilder members = new StringBuilder();
            for (Object x : (List<Object>) g.get("members")) {
                Map<String, Object> m = (Map<String, Object>) x;
                members.append(ConsoleHtml.esc(m.get("nodeId") + "@" + m.get("host") + ":" + m.get("port") + " " + m.get("role")
                        + " " + (m.get("incarnation") == null ? "(incarnation not known yet)" : m.get("incarnation")))).append("<br>");
            }
            b.append("<tr data-group='").append(g.get("group")).append("'><td class='group'>").append(g.get("group"))
                    .append("</td><td class='configVersion'>").append(g.get("configVersion")).append("</td><td class='members'>")
                    .append(members).append("</td></tr>");
        }
        b.append("</tbody></table>");
        if (model.get("configuredMembersIgnored") instanceof String ignored)
            b.append("<p id='paxos-members-ignored' class='statline'>Warning: ").append(ConsoleHtml.esc(ignored)).append("</p>");
        b.append("<form method='post' id='paxos-member-put'><input type='hidden' name='action' value='member-put'>")
                .append("Node ID <input id='paxos-member-id' name='nodeId' size='6'> ")
                .append("address <input id='paxos-member-address' name='address' size='22' placeholder='host:port (Paxos port)'> ")
                .append("role <select id='paxos-member-role' name='role'><option value=''>(voter / unchanged)</option>")
                .append("<option value='voter'>voter</option><option value='follower'>follower</option></select> ")
                .append("replacing node <input id='paxos-member-replace' name='replace' size='6' placeholder='(none)'> ")
                .append("<button id='paxos-member-apply' type='submit'>Add / change role / replace in every group</button></form>");
        b.append("<form method='post' id='paxos-member-remove'><input type='hidden' name='action' value='member-remove'>")
                .append("Node ID <input id='paxos-member-remove-id' name='nodeId' size='6'> ")
                .append("<button id='paxos-member-remove-apply' type='submit'>Remove from every group</button></form>");
        return b.toString();
    }

    /** The page's message after a form: the HTTP status the REST endpoint would answer and its body. */
    static String message(CommandResource.Answer a) {
        return "Membership: " + a.status() + " " + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
