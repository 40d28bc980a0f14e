package paxos.plugins.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
import org.junit.jupiter.api.Test;

class ConfigPropertiesTest {

    @Property(tries = 300)
    void encodeDecodeRoundTripsAndIsCanonical(@ForAll("properties") Map<String, Object> props) {
        byte[] bytes = ConfigProperties.encode(props);
        Map<String, Object> decoded = ConfigProperties.decode(bytes);
        assertTrue(ConfigProperties.sameContent(props, decoded), () -> props + " vs " + decoded);
        assertArrayEquals(bytes, ConfigProperties.encode(decoded), "re-encoding gives the same bytes");
        for (Map.Entry<String, Object> e : props.entrySet())
            assertEquals(kind(e.getValue()), kind(decoded.get(e.getKey())), "type kept for " + e.getKey());
    }

    @Property(tries = 200)
    void commandRoundTrips(@ForAll("properties") Map<String, Object> props, @ForAll("pids") String pid) {
        ConfigCommand command = ConfigCommand.put(pid, props).ifVersion(7);
        ConfigCommand decoded = ConfigCommand.decode(command.encode());
        assertEquals(pid, decoded.pid());
        assertEquals(7, decoded.expectedVersion());
        assertTrue(ConfigProperties.sameContent(props, decoded.properties()));
    }

    @Property(tries = 300)
    void randomBytesNeverDecodeToSomethingThatReencodesDifferently(@ForAll byte[] bytes) {
        try {
            Map<String, Object> decoded = ConfigProperties.decode(bytes);
            assertArrayEquals(bytes, ConfigProperties.encode(decoded));
        } catch (IllegalArgumentException expected) {
            // refusal is the normal outcome
        }
    }

    /** A naive type label: scalar class, or "[]"/"List" plus the element class. */
    private static String kind(Object v) {
        if (v.getClass().isArray()) return v.getClass().getComponentType().getSimpleName() + "[]";
        if (v instanceof List<?> l) return l.isEmpty() ? "List" : "List<" + l.get(0).getClass().getSimpleName() + ">";
        return v.getClass().getSimpleName();
    }

    @Provide
    Arbitrary<String> pids() {
        return Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(200);
    }

    @Provide
    Arbitrary<Map<String, Object>> properties() {
        StringArbitrary keys = Arbitraries.strings().alpha().numeric().withChars(".-_").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(30).filter(ConfigPropertiesTest::wellFormed);
        Arbitrary<Object> value = Arbitraries.oneOf(
                text.map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0).map(d -> (Object) d),
                text.array(String[].class).ofMaxSize(5).map(a -> (Object) a),
                Arbitraries.longs().array(Long[].class).ofMaxSize(5).map(a -> (Object) a),
                Arbitraries.integers().array(Integer[].class).ofMaxSize(5).map(a -> (Object) a),
                Arbitraries.doubles().array(Double[].class).ofMaxSize(5).map(a -> (Object) a),
                Arbitraries.of(true, false).array(Boolean[].class).ofMaxSize(5).map(a -> (Object) a),
                text.list().ofMaxSize(5).map(l -> (Object) l),
                Arbitraries.longs().list().ofMinSize(1).ofMaxSize(5).map(l -> (Object) l));
        return Arbitraries.maps(keys, value).ofMaxSize(12)
                .filter(m -> m.keySet().stream().map(String::toLowerCase).distinct().count() == m.size())
                .filter(m -> m.keySet().stream().noneMatch(ConfigProperties.RESERVED_KEYS::contains));
    }

    private static boolean wellFormed(String s) {
        return s.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    @Test
    void primitiveArraysBecomeWrapperArrays() {
        Map<String, Object> decoded = ConfigProperties.decode(ConfigProperties.encode(Map.of("a", new int[] {1, 2}, "b", new long[] {3})));
        assertArrayEquals(new Integer[] {1, 2}, (Integer[]) decoded.get("a"));
        assertArrayEquals(new Long[] {3L}, (Long[]) decoded.get("b"));
    }

    @Test
    void unsupportedValuesAreRefusedNamingTheKey() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("n", null);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(
                Map.of("f", 1.5f), Map.of("o", new Object()), Map.of("m", Map.of()), Map.of("s", Set.of("x")),
                Map.of("l", List.of(1L, "x")), Map.of("a", new Object[] {"x"}), withNull)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(bad));
            assertTrue(e.getMessage().contains(bad.keySet().iterator().next()), e.getMessage());
        }
    }

    @Test
    void reservedKeysCaseClashesAndLoneSurrogatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(Map.of("service.pid", "x")));
        assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(Map.of(ConfigProperties.VERSION_PROPERTY, 1L)));
        Map<String, Object> clash = new LinkedHashMap<>();
        clash.put("Port", 1L);
        clash.put("port", 2L);
        assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(clash));
        assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(Map.of("k", "a\uD800b")));
    }

    @Test
    void encodedSizeIsCapped() {
        String big = "x".repeat(ConfigProperties.MAX_BYTES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigProperties.encode(Map.of("k", big)));
        assertTrue(e.getMessage().contains("too large"));
        ConfigProperties.encode(Map.of("k", "x".repeat(ConfigProperties.MAX_BYTES - 100)));
    }

    @Test
    void invalidPidsAreRefused() {
        for (String pid : List.of("", "a/b", "a b", "x".repeat(201), "pid~factory", "é"))
            assertThrows(IllegalArgumentException.class, () -> ConfigCommand.delete(pid), pid);
        ConfigCommand.delete("x".repeat(200));
    }
}
