package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MasterInfo;

/**
 * A crash at every step of an install leaves both state machines of the group with the old
 * state or both with the new one, after recovery; real files and renames, the crash simulated by
 * an exception thrown at that step (nothing after it runs, as in a kill).
 */
class CheckpointInstallerTest {
    @TempDir Path dir;

    private List<CheckpointInstaller.Target> prepare() throws IOException {
        List<CheckpointInstaller.Target> targets = List.of(
                new CheckpointInstaller.Target(1, dir.resolve("sm1/db")), new CheckpointInstaller.Target(2, dir.resolve("sm2/db")));
        for (CheckpointInstaller.Target t : targets) {
            Files.createDirectories(t.directory());
            Files.writeString(t.directory().resolve("state"), "old");
            Files.createDirectories(t.incoming());
            Files.writeString(t.incoming().resolve("state"), "new");
        }
        return targets;
    }

    private static String state(CheckpointInstaller.Target t) throws IOException {
        return Files.readString(t.directory().resolve("state"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepared", "moved-old-1", "moved-new-1", "moved-old-2", "moved-new-2", "done"})
    void aCrashAtAnyStepLeavesOldOrNewNeverAMix(String step) throws Exception {
        List<CheckpointInstaller.Target> targets = prepare();
        CheckpointInstaller installer = new CheckpointInstaller(dir.resolve("ckpt"));
        installer.crashHook(s -> {
            if (s.equals(step)) throw new IOException("crash at " + s);
        });
        assertThrows(IOException.class, () -> installer.install(0, targets, List.of(10L, 12L), new MasterInfo(2, 5, 1000)));

        CheckpointInstaller restarted = new CheckpointInstaller(dir.resolve("ckpt")); // the next start
        restarted.recoverFiles(0);
        String expected = step.equals("done") ? "new" : "old";
        for (CheckpointInstaller.Target t : targets) {
            assertEquals(expected, state(t), step + ": state machine " + t.stateMachineId());
            assertFalse(Files.exists(t.old()), "no old copy left");
            if (expected.equals("old")) assertFalse(Files.exists(t.incoming()), "no incoming copy left");
        }
        if (expected.equals("new")) {
            CheckpointInstaller.Completed c = restarted.completed(0).orElseThrow();
            assertEquals(List.of(10L, 12L), c.positions());
            assertEquals(new MasterInfo(2, 5, 1000), c.master());
            restarted.finish(0);
        }
        assertFalse(Files.exists(restarted.marker(0)), "marker gone");
        assertTrue(restarted.completed(0).isEmpty());
    }

    @Test
    void aCompleteInstallReplacesEveryDirectory() throws Exception {
        List<CheckpointInstaller.Target> targets = prepare();
        CheckpointInstaller installer = new CheckpointInstaller(dir.resolve("ckpt"));
        installer.install(0, targets, List.of(10L, 12L), MasterInfo.NONE);
        installer.finish(0);
        for (CheckpointInstaller.Target t : targets) {
            assertEquals("new", state(t));
            assertFalse(Files.exists(t.old()));
        }
    }

    @Test
    void theVersionsAndExecutedRequestsAreRecordedWithTheMasterAndSurviveACrashAfterTheInstall() throws Exception {
        List<CheckpointInstaller.Target> targets = prepare();
        CheckpointInstaller installer = new CheckpointInstaller(dir.resolve("ckpt"));
        CheckpointRequests requests = new CheckpointRequests(10, java.util.Map.of(3, new java.util.TreeMap<>(java.util.Map.of(77L, 9L))));
        installer.install(0, targets, List.of(10L, 12L), new MasterInfo(2, 5, 1000), java.util.Map.of(1, "1.2.0", 7, "0"), requests);
        CheckpointInstaller.Completed c = new CheckpointInstaller(dir.resolve("ckpt")).completed(0).orElseThrow();
        assertEquals(new MasterInfo(2, 5, 1000), c.master());
        assertEquals(java.util.Map.of(1, "1.2.0", 7, "0"), c.versions());
        assertEquals(requests, c.requests());
        installer.finish(0);
        assertFalse(Files.exists(installer.requestsFile(0)));
    }

    @Test
    void aCheckpointBeginCarriesTheVersionsAndOneWithoutThemStillDecodes() {
        CheckpointWire.Begin with = new CheckpointWire.Begin(0, 7L, new MasterInfo(2, 5, 1000),
                List.of(new CheckpointWire.Part(1, 41, 1, 5)), java.util.Map.of(1, "1.2.0"));
        assertEquals(with, CheckpointWire.decode(CheckpointWire.encode(with), 1 << 20));
        CheckpointWire.Begin without = new CheckpointWire.Begin(0, 7L, MasterInfo.NONE, List.of(new CheckpointWire.Part(1, 41, 1, 5)));
        byte[] bytes = CheckpointWire.encode(without);
        byte[] legacy = java.util.Arrays.copyOf(bytes, bytes.length - 4); // a sender before versions: no trailer
        assertEquals(without, CheckpointWire.decode(legacy, 1 << 20));
    }
}
