package paxos.impl.osgi;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * The console's "Settings" block: the engine settings in force, which of them must agree across
 * the cluster, and a form that keeps a value for this node across restarts by saving it to the
 * node's local settings file (framework property {@value #FILE_PROPERTY}, set by the launcher,
 * which lays that file over the node file at every start). Values saved in the console's
 * Configuration page apply at once but last only until the next start: the launcher rewrites
 * {@code deploy/paxos.node.cfg} then; the block says so.
 */
final class ConsoleSettings {
    static final String FILE_PROPERTY = "paxos.settings.file";
    /** Engine settings and their scope: "cluster" ones must be equal on every node. */
    static final Map<String, String> SCOPE = new java.util.LinkedHashMap<>();

    static {
        SCOPE.put("groupCount", "cluster: every node must serve the same groups");
        SCOPE.put("maxValueBytes", "cluster: a command accepted by one node must fit every other");
        SCOPE.put("batchBytesMax", "cluster: a peer's batch must fit this node's log record and frame limits");
        SCOPE.put("holdLogCount", "node: how much log this node keeps for lagging peers");
        SCOPE.put("batchCountMax", "node: batching while this node leads");
        SCOPE.put("windowMax", "node: pipeline depth while this node leads");
        SCOPE.put("checkpointTransferBytesPerSecond", "node: rate limit of each checkpoint this node sends to a lagging peer");
    }

    private ConsoleSettings() {}

    @SuppressWarnings("unchecked")
    static String html(Map<String, Object> model, String file) {
        Map<String, Object> settings = (Map<String, Object>) model.get("settings");
        StringBuilder b = new StringBuilder("<h2>Settings</h2><table id='paxos-settings' class='tablelayout nicetable'><thead><tr>")
                .append("<th>Setting</th><th>In force</th><th>Scope</th></tr></thead><tbody>");
        SCOPE.forEach((key, scope) -> b.append("<tr data-setting='").append(key).append("'><td>").append(key).append("</td><td class='value'>")
                .append(ConsoleHtml.esc(String.valueOf(settings.get(key)))).append("</td><td>").append(ConsoleHtml.esc(scope)).append("</td></tr>"));
        b.append("</tbody></table>");
        if (model.get("settingsDisagreements") instanceof java.util.List<?> ds && !ds.isEmpty())
            b.append("<p class='statline' id='paxos-settings-disagree' style='color:#b00'>")
                    .append(ConsoleHtml.esc("Cluster-wide settings that differ on peers: " + ds)).append("</p>");
        b.append("<p class='statline' id='paxos-settings-note'>")
                .append(ConsoleHtml.esc(file == null
                        ? "Values saved in the Configuration page last until this node restarts; set them in the node file to keep them."
                        : "Values saved in the Configuration page last until this node restarts (the launcher rewrites deploy/paxos.node.cfg). "
                        + "To keep a value, save it here: it goes to " + file + ", which the launcher lays over the node file at every start; "
                        + "it takes effect at the next start. Cluster-wide settings must be saved on every node."))
                .append("</p>");
        if (file != null) {
            b.append("<form method='post'><input type='hidden' name='action' value='save-setting'>")
                    .append("<select id='paxos-setting-key' name='key'>");
            SCOPE.keySet().forEach(k -> b.append("<option>").append(k).append("</option>"));
            b.append("</select> <input id='paxos-setting-value' name='value' size='12' placeholder='value'> ")
                    .append("<button id='paxos-setting-save' type='submit'>Keep for this node</button></form>");
        }
        return b.toString();
    }

    /**
     * Saves {@code key = value} to the local settings file; the message for the operator.
     *
     * @throws IllegalArgumentException for an unknown key, a value that is not a number, or no file configured
     */
    static String save(String file, String key, String value) throws IOException {
        if (file == null) throw new IllegalArgumentException("this node was not started by the paxos launcher: set " + key + " in its configuration");
        if (!SCOPE.containsKey(key)) throw new IllegalArgumentException("unknown setting " + key);
        String v = value == null ? "" : value.trim();
        long n;
        try {
            n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a non-negative number, got '" + v + "'");
        }
        // the node would refuse to start with it (NodeComponent): refuse it here, where the operator sees why
        if (key.equals("checkpointTransferBytesPerSecond") && n < 65_536)
            throw new IllegalArgumentException(key + " must be at least 65536 (64 KiB/s), got " + v);
        Path path = Path.of(file);
        Properties p = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                p.load(in);
            }
        }
        p.setProperty(key, v);
        Path temp = path.resolveSibling("." + path.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            p.store(out, "this node's settings, saved from the console; laid over the node file at every start");
        }
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return key + " = " + v + " saved to " + path + "; it takes effect at the next start of this node"
                + (SCOPE.get(key).startsWith("cluster") ? " (a cluster-wide setting: save it on every node)" : "");
    }
}
