package paxos.impl.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's
 * specification (prometheus.io/docs/instrumenting/exposition_formats): rejects what a Prometheus
 * server would reject and what the spec forbids (a TYPE after samples of its family, a family
 * split in two, duplicate series, unknown types, malformed names, labels, escapes or numbers, a
 * summary sample without quantile, a counter not named {@code _total}). Test code only.
 */
final class PrometheusTextParser {
    record Sample(String name, Map<String, String> labels, double value) {}

    record Family(String name, String type, String help, List<Sample> samples) {}

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the last line must end with \\n");
        Map<String, Family> families = new LinkedHashMap<>();
        Set<String> series = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Family current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) continue;
            String where = "line " + lineNo + ": " + line;
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) continue; // comment
                String name = parts[2];
                require(name.matches(NAME), "bad metric name", where);
                if (current == null || !current.name().equals(name)) {
                    require(!families.containsKey(name) && !closed.contains(name), "family declared twice or split", where);
                    if (current != null) closed.add(current.name());
                    current = new Family(name, null, null, new ArrayList<>());
                    families.put(name, current);
                }
                if (parts[1].equals("TYPE")) {
                    require(parts.length == 4 && TYPES.contains(parts[3]), "unknown type", where);
                    require(current.type() == null && current.samples().isEmpty(), "TYPE twice or after samples", where);
                    current = new Family(name, parts[3], current.help(), current.samples());
                } else {
                    require(current.help() == null, "HELP twice", where);
                    String help = parts.length == 4 ? parts[3] : "";
                    require(!help.matches(".*\\\\[^\\\\n].*"), "bad escape in HELP", where);
                    current = new Family(name, current.type(), help, current.samples());
                }
                families.put(name, current);
                continue;
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name(), families, current);
            require(current != null && current.name().equals(family), "sample outside its family's block", where);
            require(series.add(s.name() + s.labels()), "duplicate series", where);
            if ("summary".equals(current.type()) && s.name().equals(family)) {
                require(s.labels().containsKey("quantile"), "summary sample without quantile", where);
                double q = Double.parseDouble(s.labels().get("quantile"));
                require(q >= 0 && q <= 1, "quantile outside 0..1", where);
            }
            if ("counter".equals(current.type())) require(family.endsWith("_total") && s.value() >= 0, "counter not _total or negative", where);
            current.samples().add(s);
        }
        for (Family f : families.values()) require(f.type() != null, "family without TYPE", f.name());
        return families;
    }

    private static String familyOf(String sample, Map<String, Family> families, Family current) {
        if (current != null && "summary".equals(current.type())
                && (sample.equals(current.name() + "_sum") || sample.equals(current.name() + "_count"))) return current.name();
        return sample;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        require(name.matches(NAME), "bad metric name", where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > 0, "label without =", where);
                String label = line.substring(i, eq);
                require(label.matches(LABEL) && !label.startsWith("__"), "bad label name " + label, where);
                require(line.charAt(eq + 1) == '"', "label value not quoted", where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        require(e == '\\' || e == '"' || e == 'n', "bad escape", where);
                        value.append(e == 'n' ? '\n' : e);
                    } else value.append(c);
                }
                require(labels.put(label, value.toString()) == null, "label twice", where);
                i = j + 1;
                if (line.charAt(i) == ',') i++;
                else require(line.charAt(i) == '}', "expected , or }", where);
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no space before the value", where);
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || (rest.length == 2 && rest[1].matches("-?[0-9]+")), "value [timestamp] expected", where);
        return new Sample(name, labels, number(rest[0], where));
    }

    private static double number(String s, String where) {
        switch (s) {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                require(s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?"), "bad number " + s, where);
                return Double.parseDouble(s);
        }
    }

    private static void require(boolean ok, String what, String where) {
        if (!ok) throw new IllegalArgumentException(what + " at " + where);
    }
}
