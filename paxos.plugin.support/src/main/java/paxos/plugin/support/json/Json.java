package paxos.plugin.support.json;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately small JSON reader and writer for flat objects: the top level is one object whose
 * values are strings, numbers, booleans, or arrays of those (no nested objects or arrays, no
 * {@code null}). Thread-safe (static, no state).
 *
 * <p>Numbers without fraction or exponent become {@code Long} (out of range is refused), others
 * {@code Double}. Arrays become unmodifiable {@link List}s. Duplicate keys, trailing garbage,
 * control characters in strings and input longer than {@link #MAX_CHARS} are refused with
 * {@link IllegalArgumentException} whose message says where.
 */
public final class Json {
    /** Longest accepted input, in characters. */
    public static final int MAX_CHARS = 256 * 1024;

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one flat JSON object; keys keep their order. */
    public static Map<String, Object> parseObject(String text) {
        if (text.length() > MAX_CHARS) throw new IllegalArgumentException("JSON longer than " + MAX_CHARS + " characters");
        Json p = new Json(text);
        p.skipSpace();
        p.expect('{');
        Map<String, Object> out = new LinkedHashMap<>();
        p.skipSpace();
        if (!p.consume('}')) {
            do {
                p.skipSpace();
                String key = p.string();
                p.skipSpace();
                p.expect(':');
                p.skipSpace();
                Object value = p.value(true);
                if (out.putIfAbsent(key, value) != null) throw p.error("duplicate key \"" + key + "\"");
                p.skipSpace();
            } while (p.consume(','));
            p.expect('}');
        }
        p.skipSpace();
        if (p.i != p.s.length()) throw p.error("trailing characters");
        return Collections.unmodifiableMap(out);
    }

    /**
     * Writes a flat object. Values: String, Number, Boolean, arrays and collections of those.
     * Non-finite doubles are written as strings ({@code "NaN"}, {@code "Infinity"}), which JSON
     * cannot express as numbers.
     */
    public static String writeObject(Map<String, ?> object) {
        StringBuilder b = new StringBuilder().append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : object.entrySet()) {
            if (!first) b.append(',');
            first = false;
            writeString(b, e.getKey());
            b.append(':');
            Object v = e.getValue();
            if (v != null && v.getClass().isArray()) {
                b.append('[');
                for (int k = 0; k < Array.getLength(v); k++) {
                    if (k > 0) b.append(',');
                    writeScalar(b, Array.get(v, k));
                }
                b.append(']');
            } else if (v instanceof Collection<?> c) {
                b.append('[');
                boolean firstElement = true;
                for (Object element : c) {
                    if (!firstElement) b.append(',');
                    firstElement = false;
                    writeScalar(b, element);
                }
                b.append(']');
            } else {
                writeScalar(b, v);
            }
        }
        return b.append('}').toString();
    }

    private static void writeScalar(StringBuilder b, Object v) {
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) writeString(b, d.toString());
        else if (v instanceof Number || v instanceof Boolean) b.append(v);
        else if (v instanceof String str) writeString(b, str);
        else throw new IllegalArgumentException("cannot write " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private static void writeString(StringBuilder b, String str) {
        b.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    private Object value(boolean arrayAllowed) {
        if (i >= s.length()) throw error("value expected");
        char c = s.charAt(i);
        if (c == '"') return string();
        if (c == '[') {
            if (!arrayAllowed) throw error("nested arrays are not supported");
            i++;
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (consume(']')) return List.of();
            do {
                skipSpace();
                list.add(value(false));
                skipSpace();
            } while (consume(','));
            expect(']');
            return List.copyOf(list);
        }
        if (c == '{') throw error("nested objects are not supported");
        if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("null", i)) throw error("null values are not supported");
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected character '" + c + "'");
    }

    private Object number() {
        int start = i;
        if (s.charAt(i) == '-') i++;
        int intStart = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == intStart) throw error("digit expected");
        if (s.charAt(intStart) == '0' && i - intStart > 1) throw error("leading zero");
        boolean integral = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integral = false;
            i++;
            int fracStart = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (i == fracStart) throw error("digit expected after '.'");
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integral = false;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int expStart = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (i == expStart) throw error("digit expected in exponent");
        }
        String text = s.substring(start, i);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw error("integer out of range " + text);
            }
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) throw error("number out of range " + text);
        return d;
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int digit = Character.digit(s.charAt(i++), 16);
                        if (digit < 0) throw error("bad \\u escape");
                        code = code * 16 + digit;
                    }
                    b.append((char) code);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void skipSpace() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r')) i++;
    }

    private boolean consume(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) throw error("'" + c + "' expected");
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at character " + i + ": " + what);
    }
}
