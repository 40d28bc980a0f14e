package paxos.plugins.config.internal;

import java.util.Map;
import java.util.TreeMap;
import paxos.plugin.support.http.HttpAnswer;

/**
 * {@code config:get pid}, {@code config:put [--force] pid key=value...}, {@code config:delete pid},
 * {@code config:list} for the Gogo shell. Each prints the HTTP-like status and the answer.
 *
 * <p>{@code put} replaces all properties of the PID. Values are Strings unless the key carries a
 * type: {@code port:Integer=8080}, {@code n:Long=5}, {@code on:Boolean=true}, {@code r:Double=0.5},
 * {@code hosts:String[]=a,b} (arrays split at commas).
 */
public final class ConfigGogoCommands {
    private final ConfigHttp http;

    ConfigGogoCommands(ConfigHttp http) {
        this.http = http;
    }

    /** Linearizable read of {@code pid}. */
    public String get(String pid) {
        return render(http.get(pid, null));
    }

    /** Every stored PID with its version. */
    public String list() {
        return render(http.list(null));
    }

    /** Replaces the properties of {@code pid}; a first argument {@code --force} skips the unknown-PID check. */
    public String put(String pid, String... assignments) {
        boolean force = false;
        if ("--force".equals(pid)) {
            if (assignments.length == 0) return "usage: config:put [--force] pid key=value...";
            force = true;
            pid = assignments[0];
            assignments = java.util.Arrays.copyOfRange(assignments, 1, assignments.length);
        }
        Map<String, Object> properties;
        try {
            properties = parse(assignments);
        } catch (IllegalArgumentException e) {
            return "400 " + e.getMessage();
        }
        return render(http.put(pid, properties, null, force));
    }

    /** Deletes {@code pid}. */
    public String delete(String pid) {
        return render(http.delete(pid, null));
    }

    /** {@code key[:Type]=value} pairs to typed properties. */
    static Map<String, Object> parse(String... assignments) {
        Map<String, Object> out = new TreeMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value: " + a);
            String key = a.substring(0, eq);
            String text = a.substring(eq + 1);
            String type = "String";
            int colon = key.lastIndexOf(':');
            if (colon > 0 && key.substring(colon + 1).matches("(String|Long|Integer|Boolean|Double)(\\[\\])?")) {
                type = key.substring(colon + 1);
                key = key.substring(0, colon);
            }
            if (out.containsKey(key)) throw new IllegalArgumentException("key given twice: " + key);
            out.put(key, type.endsWith("[]") ? array(key, text, type.substring(0, type.length() - 2)) : scalar(key, text, type));
        }
        return out;
    }

    private static Object array(String key, String text, String type) {
        String[] parts = text.isEmpty() ? new String[0] : text.split(",", -1);
        Object out = java.lang.reflect.Array.newInstance(scalar(key, type.equals("String") ? "" : "0", type).getClass(), parts.length);
        for (int i = 0; i < parts.length; i++) java.lang.reflect.Array.set(out, i, scalar(key, parts[i].strip(), type));
        return out;
    }

    private static Object scalar(String key, String text, String type) {
        try {
            return switch (type) {
                case "Long" -> Long.parseLong(text);
                case "Integer" -> Integer.parseInt(text);
                case "Double" -> Double.parseDouble(text);
                case "Boolean" -> {
                    if (!text.equals("true") && !text.equals("false")) throw new NumberFormatException();
                    yield Boolean.parseBoolean(text);
                }
                default -> text;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a valid " + type);
        }
    }

    private static String render(HttpAnswer r) {
        return r.shellLine();
    }
}
