package paxos.node.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;

/** The file-backed checksum state machine: restore, torn tails, replays, checkpoint copies. */
class FileChecksumStateMachineTest {
    private static final ExecutionResults IGNORE = new ExecutionResults() {
        @Override
        public void complete(int index, Object result) {}

        @Override
        public boolean isAwaited(int index) {
            return false;
        }
    };

    @TempDir Path dir;

    @Test
    void reopensAtTheSamePositionAndChecksumAndIgnoresReplays() throws Exception {
        ChecksumStateMachine.Snapshot before;
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir, 100, 0)) {
            for (long i = 0; i < 5; i++) m.execute(batch(i, "a" + i, "b" + i), IGNORE);
            m.execute(batch(5), IGNORE); // an instance with nothing for this state machine still advances it
            before = m.snapshot();
        }
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir, 100, 0)) {
            assertEquals(before, m.snapshot());
            assertEquals(5, m.openedInstance());
            assertEquals(10, m.entries(0, 100).size());
            m.execute(batch(3, "replayed"), IGNORE);
            assertEquals(before, m.snapshot(), "a replay at or below the position is ignored");
        }
    }

    @Test
    void aTornLastRecordIsCutOffAtOpen() throws Exception {
        ChecksumStateMachine.Snapshot afterTwo;
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir, 100, 0)) {
            m.execute(batch(0, "x"), IGNORE);
            m.execute(batch(1, "y"), IGNORE);
            afterTwo = m.snapshot();
            m.execute(batch(2, "z"), IGNORE);
        }
        Path file = dir.resolve("data").resolve(FileChecksumStateMachine.FILE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 3); // the process died in the middle of the last write
        }
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir, 100, 0)) {
            assertEquals(afterTwo, m.snapshot());
            m.execute(batch(2, "z"), IGNORE); // the engine replays instance 2 from its log
        }
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir, 100, 0)) {
            assertEquals(2, m.snapshot().executedInstance());
        }
    }

    @Test
    void aLockedCheckpointIsAFrozenCopyThatOpensAsTheSameState() throws Exception {
        Path other = dir.resolve("other");
        try (FileChecksumStateMachine m = FileChecksumStateMachine.open(dir.resolve("one"), 100, 0)) {
            m.execute(batch(0, "x"), IGNORE);
            ChecksumStateMachine.Snapshot locked = m.snapshot();
            CheckpointFiles f = m.lockCheckpoint(0);
            assertThrows(IOException.class, () -> m.lockCheckpoint(0), "one lock at a time");
            m.execute(batch(1, "after the lock"), IGNORE);
            assertEquals(0, f.instance());
            assertEquals(List.of(FileChecksumStateMachine.FILE), f.files());
            // what a receiver does: the files become the data directory of another state machine
            Files.createDirectories(other.resolve("data"));
            Files.copy(f.directory().resolve(FileChecksumStateMachine.FILE), other.resolve("data").resolve(FileChecksumStateMachine.FILE));
            m.unlockCheckpoint(0);
            assertFalse(Files.exists(f.directory()), "unlock deletes the copy");
            try (FileChecksumStateMachine copy = FileChecksumStateMachine.open(other, 100, 0)) {
                assertEquals(locked, copy.snapshot());
                assertEquals(other.resolve("data"), copy.dataDirectory(0));
            }
        }
    }

    private static ExecutionBatch batch(long instance, String... values) {
        List<Command> cs = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++)
            cs.add(new Command(instance, i, values[i].getBytes(StandardCharsets.UTF_8), 0));
        return new ExecutionBatch(0, instance, cs);
    }
}
