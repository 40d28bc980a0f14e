package paxos.plugin.support.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesAFlatObjectWithEveryValueKind() {
        Map<String, Object> m = Json.parseObject(" {\"s\":\"a\\\"b\\u00e9\\n\", \"l\":-12, \"d\":1.5e2, \"t\":true, \"f\":false,"
                + " \"a\":[1, \"x\", 2.0], \"e\":[]} ");
        assertEquals("a\"b\u00e9\n", m.get("s"));
        assertEquals(-12L, m.get("l"));
        assertEquals(150.0, m.get("d"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertEquals(List.of(1L, "x", 2.0), m.get("a"));
        assertEquals(List.of(), m.get("e"));
        assertEquals(Map.of(), Json.parseObject("{}"));
    }

    @Test
    void malformedInputIsRefusedWithAPosition() {
        for (String bad : List.of("", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{a:1}",
                "{\"a\":null}", "{\"a\":{\"b\":1}}", "{\"a\":[[1]]}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
                "{\"a\":1e}", "{\"a\":\"x}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\u+123\"}",
                "{\"a\":\"tab\there\"}", "{\"a\":1,\"a\":2}", "{\"a\":99999999999999999999}", "{\"a\":1e999}",
                "{\"a\":tru}", "{\"a\":[1 2]}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(bad), bad);
            assertTrue(e.getMessage().startsWith("malformed JSON at character") || e.getMessage().contains("JSON"), e.getMessage());
        }
    }

    @Test
    void inputSizeIsBounded() {
        String big = "{\"k\":\"" + "x".repeat(Json.MAX_CHARS) + "\"}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parseObject(big));
        assertTrue(e.getMessage().contains("longer than"));
    }

    @Test
    void writerEscapesAndWritesNonFiniteDoublesAsStrings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("q\"", "a\\b\u0001");
        m.put("n", Double.NaN);
        m.put("arr", new Long[] {1L, 2L});
        m.put("list", List.of(true));
        assertEquals("{\"q\\\"\":\"a\\\\b\\u0001\",\"n\":\"NaN\",\"arr\":[1,2],\"list\":[true]}", Json.writeObject(m));
    }

    @Property(tries = 300)
    void writtenStringsParseBack(@ForAll String key, @ForAll String value) {
        Map<String, Object> m = Json.parseObject(Json.writeObject(Map.of(key, value)));
        assertEquals(Map.of(key, value), m);
    }
}
