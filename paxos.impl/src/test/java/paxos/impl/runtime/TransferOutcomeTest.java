package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MasterInfo;

/** How transfers end: as an enum, named on status pages, with the reason apart. */
class TransferOutcomeTest {
    @TempDir Path dir;

    private CheckpointReceiver receiver(Path target) {
        return new CheckpointReceiver(0, 7L, id -> id == 1 ? target : null, m -> {});
    }

    private static TransferOutcome failure(CheckpointReceiver r, CheckpointWire.Msg m) {
        return assertThrows(CheckpointReceiver.TransferException.class, () -> r.handle(m)).outcome();
    }

    @Test
    void onlyInstalledAndSentSucceed() {
        for (TransferOutcome o : TransferOutcome.values())
            assertEquals(o == TransferOutcome.INSTALLED || o == TransferOutcome.SENT, o.succeeded(), o.name());
    }

    @Test
    void theReceiverTellsAnAbortBadDataAndAMissingStateMachineApart() {
        assertEquals(TransferOutcome.PEER_ABORTED, failure(receiver(dir), new CheckpointWire.Abort(0, 7L, "busy")));
        assertEquals(TransferOutcome.CORRUPT, failure(receiver(dir), new CheckpointWire.Chunk(0, 7L, 0, 0, new byte[1])),
                "a chunk outside a file");
        assertEquals(TransferOutcome.UNSUPPORTED, failure(receiver(dir), new CheckpointWire.Begin(0, 7L, MasterInfo.NONE,
                List.of(new CheckpointWire.Part(2, 10, 1, 1)), Map.of())), "state machine 2 is not here");
    }

    @Test
    void aTrackEndsWithItsOutcomeAndDetailAndThePhaseFollows() {
        TransferTrack ok = new TransferTrack(0, "receive", 2, 7L, "installing");
        assertNull(ok.snapshot().outcome(), "running");
        assertEquals("-", ok.snapshot().describeOutcome());
        ok.finish(TransferOutcome.INSTALLED, null);
        assertEquals("done", ok.snapshot().phase());
        assertEquals("INSTALLED", ok.snapshot().describeOutcome());

        TransferTrack bad = new TransferTrack(0, "send", 2, 8L, "sending");
        bad.finish(TransferOutcome.TIMED_OUT, "receiver idle for 300 ms");
        TransferStatus s = bad.snapshot();
        assertEquals("failed", s.phase());
        assertEquals(TransferOutcome.TIMED_OUT, s.outcome());
        assertEquals("TIMED_OUT: receiver idle for 300 ms", s.describeOutcome());
        assertFalse(s.endedMillis() == 0);
    }

    @Test
    void theBoardShowsTheLatestTransferPerGroupAndDirection() {
        TransferTrack.Board board = new TransferTrack.Board();
        board.show(new TransferTrack(1, "send", 2, 1L, "sending"));
        board.show(new TransferTrack(0, "receive", 2, 2L, "requesting"));
        board.show(new TransferTrack(0, "receive", 3, 3L, "requesting"));
        List<TransferStatus> all = board.snapshot();
        assertEquals(2, all.size());
        assertEquals(3L, all.get(0).transferId(), "the newer one of group 0 replaced the older");
        assertTrue(all.get(1).group() == 1 && "send".equals(all.get(1).direction()));
    }
}
