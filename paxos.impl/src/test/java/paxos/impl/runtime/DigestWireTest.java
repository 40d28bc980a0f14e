package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The digest message round-trips, stays small and refuses what is malformed or over a bound. */
class DigestWireTest {
    private static DigestWire.Summary sample() {
        return new DigestWire.Summary(3, List.of(
                new DigestWire.Machine(1, "1.2.0", "RUNNING", List.of(new DigestWire.Digest(1023, -5), new DigestWire.Digest(2047, 42))),
                new DigestWire.Machine(65535, "", "WAITING", List.of())));
    }

    @Test
    void roundTrips() {
        byte[] bytes = DigestWire.encode(sample());
        assertTrue(DigestWire.isDigest(bytes));
        assertFalse(CheckpointWire.isCheckpoint(bytes));
        assertEquals(sample(), DigestWire.decode(bytes));
    }

    @Test
    void aFullMessageIsSmall() {
        List<DigestWire.Machine> machines = new ArrayList<>();
        List<DigestWire.Digest> four = List.of(new DigestWire.Digest(1, 1), new DigestWire.Digest(2, 2),
                new DigestWire.Digest(3, 3), new DigestWire.Digest(4, 4));
        for (int id = 1; id <= DigestWire.MACHINES_MAX; id++)
            machines.add(new DigestWire.Machine(id, "x".repeat(200), "é".repeat(100), four));
        byte[] bytes = DigestWire.encode(new DigestWire.Summary(0, machines));
        assertTrue(bytes.length <= 8 + DigestWire.MACHINES_MAX * (5 + 2 * DigestWire.TEXT_BYTES_MAX + 4 * 16), "bytes " + bytes.length);
        DigestWire.Machine first = DigestWire.decode(bytes).machines().get(0);
        assertEquals(DigestWire.TEXT_BYTES_MAX, first.version().length()); // cut, not refused
        assertEquals(32, first.state().length()); // cut at a character boundary
    }

    @Test
    void malformedMessagesAreRefused() {
        byte[] good = DigestWire.encode(sample());
        for (int cut = 1; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> DigestWire.decode(truncated), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> DigestWire.decode(trailing));
        byte[] tooMany = good.clone();
        tooMany[6] = (byte) 0xff; // machine count high byte
        assertThrows(IllegalArgumentException.class, () -> DigestWire.decode(tooMany));
        assertThrows(IllegalArgumentException.class, () -> new DigestWire.Machine(0, "", "", List.of()));
    }
}
