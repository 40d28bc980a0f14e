package paxos.plugins.config.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Maps configuration properties to and from flat JSON objects. JSON has one number type, so a
 * key may carry a type hint after a colon, as in the OSGi Configurator format:
 * {@code "timeout:Integer": 5}, {@code "ratio:Double": 1}, {@code "ports:Integer[]": [1, 2]}.
 * Hints: {@code String, Long, Integer, Boolean, Double}, each optionally with {@code []}.
 *
 * <p>Without a hint: a string is a String, an integral number a Long, other numbers a Double, a
 * boolean a Boolean, an array of strings {@code String[]}, of integral numbers {@code Long[]}, of
 * numbers {@code Double[]}, of booleans {@code Boolean[]}, an empty array {@code String[]}.
 * {@code Double} hints also accept the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}.
 *
 * <p>Writing emits a hint only where reading would otherwise pick another type: for Integer and
 * Double values and arrays, and for empty arrays that are not {@code String[]}. Lists are
 * written as arrays (and read back as arrays). Thread-safe (static).
 */
final class JsonProperties {
    private static final List<String> TYPES = List.of("String", "Long", "Integer", "Boolean", "Double");

    private JsonProperties() {}

    /**
     * Properties from a parsed flat JSON object.
     *
     * @throws IllegalArgumentException naming the key whose value does not fit
     */
    static SortedMap<String, Object> fromJson(Map<String, Object> json) {
        SortedMap<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            String key = e.getKey();
            String type = null;
            boolean array = false;
            int colon = key.lastIndexOf(':');
            if (colon > 0) {
                String hint = key.substring(colon + 1);
                array = hint.endsWith("[]");
                String base = array ? hint.substring(0, hint.length() - 2) : hint;
                if (TYPES.contains(base)) {
                    type = base;
                    key = key.substring(0, colon);
                } else {
                    array = false;
                }
            }
            if (out.containsKey(key)) throw new IllegalArgumentException("key given twice: " + key);
            out.put(key, convert(key, e.getValue(), type, array));
        }
        return out;
    }

    /** A flat JSON-ready object (key order kept) with type hints where needed. */
    static Map<String, Object> toJson(Map<String, Object> properties) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            Object v = e.getValue();
            List<Object> elements = null;
            Class<?> type;
            if (v.getClass().isArray()) {
                elements = new ArrayList<>();
                for (int i = 0; i < Array.getLength(v); i++) elements.add(Array.get(v, i));
                type = v.getClass().getComponentType();
            } else if (v instanceof List<?> l) {
                elements = new ArrayList<>(l);
                type = l.isEmpty() ? String.class : l.get(0).getClass();
            } else {
                type = v.getClass();
            }
            boolean hinted = type == Integer.class || type == Double.class
                    || (elements != null && elements.isEmpty() && type != String.class);
            String key = hinted ? e.getKey() + ":" + type.getSimpleName() + (elements != null ? "[]" : "") : e.getKey();
            out.put(key, elements != null ? elements : v);
        }
        return out;
    }

    private static Object convert(String key, Object value, String type, boolean array) {
        if (value instanceof List<?> list) {
            if (type != null && !array) throw new IllegalArgumentException(key + ": array given for a " + type + " hint");
            String elementType = type != null ? type : inferElementType(key, list);
            Object out = Array.newInstance(classOf(elementType), list.size());
            for (int i = 0; i < list.size(); i++) Array.set(out, i, scalar(key, list.get(i), elementType));
            return out;
        }
        if (array) throw new IllegalArgumentException(key + ": an array is required by the [] hint");
        return scalar(key, value, type != null ? type : inferType(value));
    }

    private static String inferType(Object v) {
        if (v instanceof Long) return "Long";
        if (v instanceof Double) return "Double";
        if (v instanceof Boolean) return "Boolean";
        return "String";
    }

    private static String inferElementType(String key, List<?> list) {
        String type = null;
        for (Object element : list) {
            String t = inferType(element);
            if (type == null || type.equals(t)) type = t;
            else if ((type.equals("Long") && t.equals("Double")) || (type.equals("Double") && t.equals("Long"))) type = "Double";
            else throw new IllegalArgumentException(key + ": array mixes " + type + " and " + t + " values");
        }
        return type == null ? "String" : type;
    }

    private static Class<?> classOf(String type) {
        return switch (type) {
            case "Long" -> Long.class;
            case "Integer" -> Integer.class;
            case "Boolean" -> Boolean.class;
            case "Double" -> Double.class;
            default -> String.class;
        };
    }

    private static Object scalar(String key, Object v, String type) {
        switch (type) {
            case "String":
                if (v instanceof String) return v;
                break;
            case "Long":
                if (v instanceof Long) return v;
                break;
            case "Integer":
                if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) (long) l;
                break;
            case "Boolean":
                if (v instanceof Boolean) return v;
                break;
            default: // Double
                if (v instanceof Long l) return (double) l;
                if (v instanceof Double) return v;
                if ("NaN".equals(v) || "Infinity".equals(v) || "-Infinity".equals(v)) return Double.valueOf((String) v);
        }
        throw new IllegalArgumentException(key + ": " + describe(v) + " is not a valid " + type);
    }

    private static String describe(Object v) {
        return v instanceof String ? "a string" : v instanceof Boolean ? "a boolean" : "the number " + v;
    }
}
