package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of the peers' incarnations: first seen wins, persisted, forgotten only on the operator's word. */
class IncarnationsTest {
    @TempDir Path dir;

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void firstIncarnationIsRecordedAndAnotherRefusedAcrossRestarts() throws Exception {
        String own = Incarnations.newIncarnation();
        String a = Incarnations.newIncarnation();
        String b = Incarnations.newIncarnation();
        Path file = dir.resolve(Incarnations.FILE);
        Incarnations i = Incarnations.open(own, file, Set.of());
        assertEquals(own, HexFormat.of().formatHex(i.own()));
        assertTrue(i.admit(3, bytes(a)), "first seen: recorded");
        assertTrue(i.admit(3, bytes(a)));
        assertFalse(i.admit(3, bytes(b)), "a wiped node under a new incarnation must not vote");
        assertTrue(i.admit(2, new byte[Incarnations.BYTES]), "no incarnation (no data directory): admitted");
        assertNull(i.known(2), "but never recorded");

        Incarnations reopened = Incarnations.open(own, file, Set.of());
        assertEquals(a, reopened.known(3));
        assertFalse(reopened.admit(3, bytes(b)));
        assertFalse(Files.exists(dir.resolve(Incarnations.FILE + ".tmp")), "written through a temp file, renamed");
    }

    @Test
    void forgettingANodeAdmitsItsNextIncarnationOnce() throws Exception {
        String own = Incarnations.newIncarnation();
        Path file = dir.resolve(Incarnations.FILE);
        String a = Incarnations.newIncarnation();
        String b = Incarnations.newIncarnation();
        Incarnations.open(own, file, Set.of()).admit(3, bytes(a));
        Incarnations forgot = Incarnations.open(own, file, Set.of(3));
        assertNull(forgot.known(3));
        assertTrue(forgot.admit(3, bytes(b)));
        assertFalse(forgot.admit(3, bytes(a)), "the old incarnation is now the stranger");
        assertEquals(b, Incarnations.open(own, file, Set.of()).known(3));
    }

    @Test
    void noneAdmitsEveryone() {
        Incarnations none = Incarnations.none();
        assertTrue(none.admit(1, bytes(Incarnations.newIncarnation())));
        assertTrue(none.admit(1, bytes(Incarnations.newIncarnation())));
    }
}
