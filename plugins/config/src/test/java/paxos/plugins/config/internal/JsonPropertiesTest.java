package paxos.plugins.config.internal;

import paxos.plugin.support.json.Json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import paxos.plugins.config.ConfigProperties;

class JsonPropertiesTest {

    @Test
    void valuesWithoutHintsTakeTheNaturalType() {
        SortedMap<String, Object> p = JsonProperties.fromJson(Json.parseObject(
                "{\"s\":\"x\",\"l\":5,\"d\":0.5,\"b\":true,\"ss\":[\"a\"],\"ll\":[1,2],\"dd\":[1,2.5],\"e\":[]}"));
        assertEquals("x", p.get("s"));
        assertEquals(5L, p.get("l"));
        assertEquals(0.5, p.get("d"));
        assertEquals(true, p.get("b"));
        assertArrayEquals(new String[] {"a"}, (String[]) p.get("ss"));
        assertArrayEquals(new Long[] {1L, 2L}, (Long[]) p.get("ll"));
        assertArrayEquals(new Double[] {1.0, 2.5}, (Double[]) p.get("dd"));
        assertArrayEquals(new String[0], (String[]) p.get("e"));
    }

    @Test
    void hintsChooseTheType() {
        SortedMap<String, Object> p = JsonProperties.fromJson(Json.parseObject(
                "{\"i:Integer\":5,\"d:Double\":1,\"n:Double\":\"NaN\",\"ii:Integer[]\":[1],\"a:b\":\"kept\",\"e:Long[]\":[]}"));
        assertEquals(5, p.get("i"));
        assertEquals(1.0, p.get("d"));
        assertTrue(((Double) p.get("n")).isNaN());
        assertArrayEquals(new Integer[] {1}, (Integer[]) p.get("ii"));
        assertEquals("kept", p.get("a:b"));
        assertArrayEquals(new Long[0], (Long[]) p.get("e"));
    }

    @Test
    void valuesThatDoNotFitAreRefusedNamingTheKey() {
        for (String bad : List.of("{\"i:Integer\":3000000000}", "{\"i:Integer\":1.5}", "{\"x\":[1,\"a\"]}",
                "{\"b:Boolean\":1}", "{\"l:Long\":[1]}", "{\"l:Long[]\":1}", "{\"k\":1,\"k:Long\":2}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JsonProperties.fromJson(Json.parseObject(bad)), bad);
            assertTrue(e.getMessage().matches("^(i|x|b|l|key given twice: k)\\b.*"), e.getMessage());
        }
    }

    @Test
    void writingThenReadingKeepsEveryType() {
        Map<String, Object> original = new TreeMap<>(Map.of("s", "x", "l", 5L, "i", 7, "d", 2.0, "b", false,
                "ii", new Integer[] {1, 2}, "dd", new Double[] {Double.NaN}, "el", new Long[0], "bl", List.of(true),
                "es", new String[0]));
        SortedMap<String, Object> back = JsonProperties.fromJson(Json.parseObject(Json.writeObject(JsonProperties.toJson(original))));
        assertTrue(ConfigProperties.sameContent(original, back), back.toString());
        assertEquals(Integer.class, back.get("i").getClass());
        assertEquals(Double.class, back.get("d").getClass());
        assertEquals(Long[].class, back.get("el").getClass());
    }
}
