package paxos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The flags of {@code ./paxos bench memory}: defaults, parsing, and a bad value named. */
class MemoryOptionsTest {
    @Test
    void defaultsRunNoSoak() {
        MemoryOptions o = MemoryOptions.parse();
        assertEquals(64, o.groups());
        assertEquals(64, o.clients());
        assertEquals(100, o.valueBytes());
        assertEquals(0, o.soakSeconds());
    }

    @Test
    void soakFlagsParse() {
        MemoryOptions o = MemoryOptions.parse("--soak-seconds", "600", "--sample-seconds", "30", "--clients", "16");
        assertEquals(600, o.soakSeconds());
        assertEquals(30, o.sampleSeconds());
        assertEquals(16, o.clients());
    }

    @Test
    void badValuesNameTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemoryOptions.parse("--groups", "1"));
        assertTrue(e.getMessage().contains("--groups"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryOptions.parse("--soak-seconds"));
        assertThrows(IllegalArgumentException.class, () -> MemoryOptions.parse("--nope", "1"));
    }

    @Test
    void slopeOfALineIsItsGradient() {
        assertEquals(2.0, HeapUnderLoad.slope(java.util.List.of(new double[] {0, 1}, new double[] {1, 3}, new double[] {2, 5})), 1e-9);
    }
}
