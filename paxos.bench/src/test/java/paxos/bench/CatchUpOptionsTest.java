package paxos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.SyncPolicy;

/** {@code ./paxos bench catchup}'s flags: defaults, values, and refusals that name the flag. No timings. */
class CatchUpOptionsTest {

    @Test
    void noFlagsMeasureBothPhasesWith32MbOf64KibValuesAndFsync() {
        CatchUpOptions o = CatchUpOptions.parse();
        assertEquals(32, o.megabytes());
        assertEquals(64 << 10, o.valueBytes());
        assertEquals(SyncPolicy.SYNC, o.sync());
        assertEquals(Set.of("log", "checkpoint"), o.phases());
        assertEquals(32_000_000 / (64 << 10), o.values());
        assertEquals(32, o.jitWarmupMegabytes());
    }

    @Test
    void everyFlagIsRead() {
        CatchUpOptions o = CatchUpOptions.parse("--mb", "8", "--value-bytes", "4096", "--sync", "none", "--phases", "Checkpoint");
        assertEquals(8, o.megabytes());
        assertEquals(4096, o.valueBytes());
        assertEquals(SyncPolicy.NONE, o.sync());
        assertEquals(Set.of("checkpoint"), o.phases());
        assertEquals(1953, o.values());
        CatchUpOptions w = CatchUpOptions.parse("--mb", "8", "--jit-warmup-mb", "4").warmup();
        assertEquals(4, w.megabytes());
        assertEquals(0, w.jitWarmupMegabytes());
        assertEquals(0, CatchUpOptions.parse("--jit-warmup-mb", "0").jitWarmupMegabytes());
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertRefused("--mb", "--mb", "0");
        assertRefused("--mb", "--mb", "lots");
        assertRefused("--value-bytes", "--value-bytes", "100");
        assertRefused("--value-bytes", "--value-bytes", String.valueOf(1 << 20));
        assertRefused("--sync", "--sync", "sometimes");
        assertRefused("--phases", "--phases", "log,snapshot");
        assertRefused("--mb", "--mb");
        assertRefused("--jit-warmup-mb", "--jit-warmup-mb", "-1");
        assertRefused("--seconds", "--seconds", "3");
    }

    private static void assertRefused(String named, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CatchUpOptions.parse(args));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
