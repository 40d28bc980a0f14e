package paxos.impl.osgi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paxos.impl.runtime.DigestExchange;

/**
 * The "replicas" part of the status model and console page: per group, the state machine
 * divergences this node knows of and which nodes lack which state machine (from the digest
 * exchange, see {@link DigestExchange}).
 */
final class ReplicaModel {
    private ReplicaModel() {}

    /** JSON-ready: one entry per group. */
    static List<Object> model(DigestExchange digests, int groupCount) {
        List<Object> out = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("group", g);
            List<Object> divergences = new ArrayList<>();
            for (DigestExchange.Report r : digests.reports(g)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("stateMachine", r.stateMachineId());
                d.put("instance", r.instance());
                d.put("differingNodes", r.differing());
                d.put("majority", r.majority());
                d.put("markedHere", r.markedHere());
                d.put("phase", r.phase() == null ? null : r.phase().name());
                Map<String, Object> hex = new LinkedHashMap<>();
                new java.util.TreeMap<>(r.digests()).forEach((n, v) -> hex.put(String.valueOf(n), Long.toHexString(v)));
                d.put("digests", hex);
                d.put("note", r.note());
                divergences.add(d);
            }
            group.put("divergences", divergences);
            Map<String, Object> nodes = new LinkedHashMap<>();
            digests.presence(g).forEach((node, machines) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                machines.forEach((id, p) -> m.put(String.valueOf(id), Map.of("version", p.version(), "state", p.state())));
                nodes.put(String.valueOf(node), m);
            });
            group.put("registered", nodes);
            Map<String, Object> lacking = new LinkedHashMap<>();
            digests.lacking(g).forEach((id, without) -> lacking.put(String.valueOf(id), without));
            group.put("lacking", lacking);
            out.add(group);
        }
        return out;
    }

    /** The console section; empty groups (no divergence, nothing lacking) are summed up in one line. */
    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> model) {
        Object replicas = model.get("replicas");
        if (!(replicas instanceof List<?> groups)) return "";
        StringBuilder b = new StringBuilder("<h2>Replicas</h2><table id='paxos-replicas' class='tablelayout nicetable'><thead><tr>")
                .append("<th>Group</th><th>Divergences</th><th>Missing state machines</th></tr></thead><tbody>");
        int quiet = 0;
        for (Object o : groups) {
            Map<String, Object> g = (Map<String, Object>) o;
            List<Object> divergences = (List<Object>) g.get("divergences");
            Map<String, Object> lacking = (Map<String, Object>) g.get("lacking");
            if (divergences.isEmpty() && lacking.isEmpty()) {
                quiet++;
                continue;
            }
            StringBuilder d = new StringBuilder();
            for (Object x : divergences) {
                Map<String, Object> r = (Map<String, Object>) x;
                d.append(ConsoleHtml.esc("state machine " + r.get("stateMachine") + " at instance " + r.get("instance")
                        + ": nodes " + r.get("differingNodes") + (Boolean.TRUE.equals(r.get("majority")) ? " differ from the majority"
                        : " (no majority)") + (Boolean.TRUE.equals(r.get("markedHere")) ? "; DIVERGED here, " + r.get("phase") : "")
                        + " " + r.get("note"))).append("<br>");
            }
            StringBuilder l = new StringBuilder();
            Map<String, Object> registered = (Map<String, Object>) g.get("registered");
            lacking.forEach((id, nodes) -> l.append(ConsoleHtml.esc("state machine " + id + " (" + versions(registered, id)
                    + ") missing on nodes " + nodes)).append("<br>"));
            b.append("<tr data-group='").append(g.get("group")).append("'><td>").append(g.get("group")).append("</td><td class='divergences'>")
                    .append(d).append("</td><td class='lacking'>").append(l).append("</td></tr>");
        }
        b.append("</tbody></table><p class='statline' id='paxos-replicas-quiet'>").append(quiet)
                .append(" group(s) with equal digests and the same state machines on every reporting node</p>");
        return b.toString();
    }

    /** "version x on nodes [..]" for the nodes that have state machine {@code id}. */
    @SuppressWarnings("unchecked")
    private static String versions(Map<String, Object> registered, String id) {
        Map<String, List<String>> byVersion = new java.util.TreeMap<>();
        registered.forEach((node, machines) -> {
            Object p = ((Map<String, Object>) machines).get(id);
            if (p != null) {
                String v = String.valueOf(((Map<String, Object>) p).get("version"));
                byVersion.computeIfAbsent(v.isEmpty() ? "version unknown" : "version " + v, k -> new ArrayList<>()).add(node);
            }
        });
        byVersion.values().forEach(nodes -> nodes.sort(java.util.Comparator.comparingInt(Integer::parseInt)));
        StringBuilder b = new StringBuilder();
        byVersion.forEach((v, nodes) -> b.append(b.length() == 0 ? "" : "; ").append(v).append(" on nodes ").append(nodes));
        return b.toString();
    }
}
