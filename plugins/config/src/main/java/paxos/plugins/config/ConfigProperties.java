package paxos.plugins.config;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The supported configuration property values and their compact, canonical binary encoding.
 * Pure static functions, thread-safe.
 *
 * <p><b>Supported values.</b> Keys are non-empty Strings of at most {@link #MAX_KEY_BYTES} UTF-8
 * bytes; keys may not differ only in case (ConfigurationAdmin treats keys case-insensitively) and
 * may not be one of {@link #RESERVED_KEYS}. Values are {@code String}, {@code Long},
 * {@code Integer}, {@code Boolean}, {@code Double}, arrays of those (wrapper or primitive arrays:
 * {@code String[]}, {@code long[]}/{@code Long[]}, {@code int[]}/{@code Integer[]},
 * {@code boolean[]}/{@code Boolean[]}, {@code double[]}/{@code Double[]}) and {@link List}s of
 * one of those element types. No {@code null}s, neither as values nor as elements; a list's
 * elements must all have the same type. Anything else is refused with
 * {@link IllegalArgumentException} naming the key. At most {@link #MAX_COUNT} properties and
 * {@link #MAX_BYTES} encoded bytes.
 *
 * <p><b>Canonical form.</b> {@link #canonical} sorts keys ({@link String#compareTo}), turns every
 * array into a fresh wrapper array ({@code long[]} becomes {@code Long[]}) and every list into an
 * unmodifiable list. Equal content gives equal bytes, so replicas that store the same properties
 * store the same bytes.
 *
 * <p><b>Encoding</b> (big-endian): {@code count:u16}, then per property in key order:
 * {@code keyLength:u16, key:UTF-8, tag:u8, value}. Tags: {@code 1} String ({@code length:i32,
 * UTF-8}), {@code 2} Long (i64), {@code 3} Integer (i32), {@code 4} Boolean (u8 0/1), {@code 5}
 * Double (IEEE bits, NaN canonical); tag {@code + 0x10} is an array, {@code + 0x20} a list, each
 * {@code count:i32} followed by the elements. An empty list is encoded with element tag String.
 */
public final class ConfigProperties {
    /** Largest encoded size of one configuration's properties, in bytes. */
    public static final int MAX_BYTES = 64 * 1024;
    /** Most properties in one configuration. */
    public static final int MAX_COUNT = 1024;
    /** Longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** The marker the ConfigAdmin bridge adds to every configuration it writes: the store version. */
    public static final String VERSION_PROPERTY = "paxos.config.version";
    /** Keys that ConfigurationAdmin or the bridge own; refused in stored properties. */
    public static final Set<String> RESERVED_KEYS =
            Set.of("service.pid", "service.factoryPid", "service.bundleLocation", VERSION_PROPERTY);

    private static final int STRING = 1, LONG = 2, INTEGER = 3, BOOLEAN = 4, DOUBLE = 5;
    private static final int ARRAY = 0x10, LIST = 0x20;
    private static final List<Class<?>> SCALARS =
            List.of(String.class, Long.class, Integer.class, Boolean.class, Double.class);

    private ConfigProperties() {}

    /**
     * Validates {@code properties} and returns their canonical copy (see the class comment).
     *
     * @throws IllegalArgumentException naming the first offending key and why
     */
    public static SortedMap<String, Object> canonical(Map<String, ?> properties) {
        Objects.requireNonNull(properties, "properties");
        if (properties.size() > MAX_COUNT)
            throw new IllegalArgumentException("too many properties: at most " + MAX_COUNT);
        TreeMap<String, Object> out = new TreeMap<>();
        Set<String> folded = new HashSet<>();
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            String key = e.getKey();
            checkKey(key);
            if (!folded.add(key.toLowerCase(Locale.ROOT)))
                throw new IllegalArgumentException("keys differ only in case: " + key);
            out.put(key, canonicalValue(key, e.getValue()));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * The canonical bytes of {@code properties}.
     *
     * @throws IllegalArgumentException if a property is not supported or the result exceeds
     *     {@link #MAX_BYTES}
     */
    public static byte[] encode(Map<String, ?> properties) {
        SortedMap<String, Object> canonical = canonical(properties);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(canonical.size());
            for (Map.Entry<String, Object> e : canonical.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(key.length);
                out.write(key);
                writeValue(out, e.getValue());
                if (out.size() > MAX_BYTES) throw tooLarge();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        if (out.size() > MAX_BYTES) throw tooLarge();
        return bytes.toByteArray();
    }

    /**
     * Parses bytes made by {@link #encode}; strict: only canonical encodings are accepted.
     *
     * @throws IllegalArgumentException if the bytes are not a canonical encoding
     */
    public static SortedMap<String, Object> decode(byte[] bytes) {
        if (bytes.length > MAX_BYTES) throw tooLarge();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int count = Short.toUnsignedInt(in.getShort());
            TreeMap<String, Object> out = new TreeMap<>();
            String previous = null;
            for (int i = 0; i < count; i++) {
                String key = utf8(in, Short.toUnsignedInt(in.getShort()));
                if (previous != null && previous.compareTo(key) >= 0)
                    throw new IllegalArgumentException("keys not in canonical order at " + key);
                previous = key;
                out.put(key, readValue(in));
            }
            if (in.hasRemaining()) throw new IllegalArgumentException("trailing bytes after properties");
            SortedMap<String, Object> result = canonical(out);
            return result;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("properties truncated");
        }
    }

    /**
     * True if both maps hold the same keys with the same values, where an array and a list with
     * equal elements count as equal (ConfigAdmin and editors may turn one into the other), and
     * {@code int[]} equals {@code Integer[]} with the same elements. Unsupported values compare
     * with {@link Objects#equals}.
     */
    public static boolean sameContent(Map<String, ?> a, Map<String, ?> b) {
        if (a.size() != b.size()) return false;
        for (Map.Entry<String, ?> e : a.entrySet()) {
            if (!b.containsKey(e.getKey())) return false;
            if (!Objects.equals(elements(e.getValue()), elements(b.get(e.getKey())))) return false;
        }
        return true;
    }

    private static Object elements(Object value) {
        if (value != null && value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) list.add(Array.get(value, i));
            return list;
        }
        if (value instanceof Collection<?> c) return new ArrayList<>(c);
        return value;
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("empty property key");
        checkString("a key", key);
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES)
            throw new IllegalArgumentException("property key longer than " + MAX_KEY_BYTES + " bytes");
        if (RESERVED_KEYS.contains(key)) throw new IllegalArgumentException("reserved property key: " + key);
    }

    private static Object canonicalValue(String key, Object value) {
        if (value == null) throw new IllegalArgumentException("null value for " + key);
        if (value instanceof String s) return checkString(key, s);
        if (SCALARS.contains(value.getClass())) return value;
        if (value.getClass().isArray()) {
            Class<?> component = wrapper(value.getClass().getComponentType());
            if (!SCALARS.contains(component))
                throw new IllegalArgumentException("unsupported array type for " + key + ": "
                        + value.getClass().getComponentType().getSimpleName());
            Object copy = Array.newInstance(component, Array.getLength(value));
            for (int i = 0; i < Array.getLength(value); i++) {
                Object element = Array.get(value, i);
                if (element == null) throw new IllegalArgumentException("null element in " + key);
                if (element instanceof String s) checkString(key, s);
                Array.set(copy, i, element);
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            Class<?> type = null;
            for (Object element : list) {
                if (element == null) throw new IllegalArgumentException("null element in " + key);
                if (!SCALARS.contains(element.getClass()))
                    throw new IllegalArgumentException("unsupported list element type for " + key + ": "
                            + element.getClass().getSimpleName());
                if (type != null && type != element.getClass())
                    throw new IllegalArgumentException("mixed element types in list " + key);
                if (element instanceof String s) checkString(key, s);
                type = element.getClass();
            }
            return List.copyOf(list);
        }
        throw new IllegalArgumentException("unsupported value type for " + key + ": " + value.getClass().getSimpleName()
                + " (supported: String, Long, Integer, Boolean, Double, arrays and lists of those)");
    }

    /** Refuses strings that UTF-8 cannot carry (unpaired surrogates): they would not survive a round trip. */
    private static String checkString(String key, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("string with an unpaired surrogate in " + key);
            }
        }
        return s;
    }

    private static Class<?> wrapper(Class<?> c) {
        if (c == long.class) return Long.class;
        if (c == int.class) return Integer.class;
        if (c == boolean.class) return Boolean.class;
        if (c == double.class) return Double.class;
        return c;
    }

    private static int tagOf(Class<?> scalar) {
        return SCALARS.indexOf(scalar) + 1;
    }

    private static void writeValue(DataOutputStream out, Object value) throws IOException {
        if (value.getClass().isArray()) {
            out.writeByte(ARRAY + tagOf(value.getClass().getComponentType()));
            out.writeInt(Array.getLength(value));
            for (int i = 0; i < Array.getLength(value); i++) {
                writeScalar(out, Array.get(value, i));
                if (out.size() > MAX_BYTES) throw tooLarge();
            }
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST + (list.isEmpty() ? STRING : tagOf(list.get(0).getClass())));
            out.writeInt(list.size());
            for (Object element : list) {
                writeScalar(out, element);
                if (out.size() > MAX_BYTES) throw tooLarge();
            }
        } else {
            out.writeByte(tagOf(value.getClass()));
            writeScalar(out, value);
        }
    }

    private static void writeScalar(DataOutputStream out, Object v) throws IOException {
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_BYTES) throw tooLarge();
            out.writeInt(b.length);
            out.write(b);
        } else if (v instanceof Long l) {
            out.writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeInt(i);
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? 1 : 0);
        } else {
            out.writeLong(Double.doubleToLongBits((Double) v));
        }
    }

    private static Object readValue(ByteBuffer in) {
        int tag = Byte.toUnsignedInt(in.get());
        int scalar = tag & 0x0f;
        if (scalar < STRING || scalar > DOUBLE || (tag & ~0x3f) != 0 || (tag & 0x30) == 0x30)
            throw new IllegalArgumentException("unknown value tag " + tag);
        if ((tag & 0x30) == 0) return readScalar(in, scalar);
        int count = in.getInt();
        // every element takes at least one byte: a count beyond the rest is corrupt, not a reason to allocate
        if (count < 0 || count > in.remaining()) throw new IllegalArgumentException("bad element count " + count);
        if ((tag & ARRAY) != 0) {
            Object array = Array.newInstance(SCALARS.get(scalar - 1), count);
            for (int i = 0; i < count; i++) Array.set(array, i, readScalar(in, scalar));
            return array;
        }
        if (count == 0 && scalar != STRING) throw new IllegalArgumentException("empty list must carry tag String");
        List<Object> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) list.add(readScalar(in, scalar));
        return List.copyOf(list);
    }

    private static Object readScalar(ByteBuffer in, int tag) {
        switch (tag) {
            case STRING: {
                int length = in.getInt();
                if (length < 0 || length > in.remaining()) throw new IllegalArgumentException("bad string length");
                return utf8(in, length);
            }
            case LONG: return in.getLong();
            case INTEGER: return in.getInt();
            case BOOLEAN: {
                byte b = in.get();
                if (b != 0 && b != 1) throw new IllegalArgumentException("bad boolean " + b);
                return b == 1;
            }
            default: {
                long bits = in.getLong();
                double d = Double.longBitsToDouble(bits);
                if (Double.doubleToLongBits(d) != bits) throw new IllegalArgumentException("non-canonical NaN");
                return d;
            }
        }
    }

    private static String utf8(ByteBuffer in, int length) {
        if (length > in.remaining()) throw new IllegalArgumentException("length beyond data");
        ByteBuffer slice = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("malformed UTF-8");
        }
    }

    private static IllegalArgumentException tooLarge() {
        return new IllegalArgumentException("properties too large: at most " + MAX_BYTES + " encoded bytes");
    }
}
