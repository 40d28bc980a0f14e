package paxos.impl.metrics;

import java.util.Locale;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: for each family one {@code # HELP}
 * and one {@code # TYPE} line, then its samples, {@code name{label="value",...} number}. Label
 * values and help texts are escaped as the format requires. Not thread-safe; one per scrape.
 */
public final class PrometheusText {
    /** The media type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    /** Starts a family; {@code type} is {@code counter}, {@code gauge} or {@code summary}. */
    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    public PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) out.append(',');
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A summary's samples: quantiles (when the window holds values), {@code _sum} and {@code _count}. */
    public PrometheusText summary(String name, Distribution.Snapshot s, String... labels) {
        for (int i = 0; i < Distribution.QUANTILES.length; i++) {
            if (Double.isNaN(s.quantileValues()[i])) continue;
            String[] withQ = java.util.Arrays.copyOf(labels, labels.length + 2);
            withQ[labels.length] = "quantile";
            withQ[labels.length + 1] = number(Distribution.QUANTILES[i]);
            sample(name, s.quantileValues()[i], withQ);
        }
        sample(name + "_sum", s.sum(), labels);
        sample(name + "_count", s.count(), labels);
        return this;
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
