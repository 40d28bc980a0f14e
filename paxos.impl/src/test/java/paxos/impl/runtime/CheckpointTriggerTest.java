package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.InstanceRecord;

/** When and from whom a lagging node asks for a checkpoint; what a node cannot serve from its log. */
class CheckpointTriggerTest {
    private static final long WINDOW = 100;
    private static final CheckpointTrigger.Timing TIMING = new CheckpointTrigger.Timing(WINDOW, 40);

    @Test
    void asksThePeerRetainingTheMostWhenEveryPeerSaidCompacted() {
        Map<Integer, CheckpointTrigger.Note> notes = Map.of(2, new CheckpointTrigger.Note(50, 0), 3, new CheckpointTrigger.Note(80, 0));
        assertEquals(3, CheckpointTrigger.choose(10, 5, WINDOW, List.of(2, 3), notes, Map.of()));
    }

    @Test
    void waitsWhileOnePeerMayStillServeTheLog() {
        Map<Integer, CheckpointTrigger.Note> notes = Map.of(2, new CheckpointTrigger.Note(50, 0));
        assertEquals(0, CheckpointTrigger.choose(10, 5, WINDOW, List.of(2, 3), notes, Map.of())); // 3 unknown: may serve
        assertEquals(0, CheckpointTrigger.choose(10, 5, WINDOW, List.of(2, 3), notes, Map.of(3, 10L))); // 3 has chosen 10
    }

    @Test
    void aPeerBehindTooDoesNotHoldTheRequestBack() {
        Map<Integer, CheckpointTrigger.Note> notes = Map.of(2, new CheckpointTrigger.Note(50, 0));
        assertEquals(2, CheckpointTrigger.choose(10, 5, WINDOW, List.of(2, 3), notes, Map.of(3, 9L)));
    }

    @Test
    void aCompactedAnswerCountsOnlyWithinTheWindowAndAboveTheNeed() {
        Map<Integer, CheckpointTrigger.Note> old = Map.of(2, new CheckpointTrigger.Note(50, 0));
        assertEquals(0, CheckpointTrigger.choose(10, WINDOW + 1, WINDOW, List.of(2), old, Map.of()));
        Map<Integer, CheckpointTrigger.Note> low = Map.of(2, new CheckpointTrigger.Note(10, 0));
        assertEquals(0, CheckpointTrigger.choose(10, 1, WINDOW, List.of(2), low, Map.of()));
        assertEquals(0, CheckpointTrigger.choose(10, 1, WINDOW, List.of(), old, Map.of()));
    }

    @Test
    void afterARequestTheNextWaitsForTheRetryTime() {
        CheckpointTrigger t = new CheckpointTrigger(TIMING);
        t.noteCompacted(2, 50, 0);
        assertEquals(2, t.decide(10, 1, List.of(2), Map.of()));
        assertEquals(0, t.decide(10, 40, List.of(2), Map.of()));
        assertEquals(2, t.decide(10, 41, List.of(2), Map.of()));
    }

    @Test
    void anInstanceKnownChosenButHeldOnlyAsAcceptedCannotBeServed() {
        InstanceRecord accepted = new InstanceRecord(0, 17, 5, new byte[] {1}, false);
        InstanceRecord chosen = new InstanceRecord(0, 17, 5, new byte[] {1}, true);
        assertTrue(CheckpointTrigger.cannotServe(17, 18, 30, i -> Optional.empty())); // compacted
        assertTrue(CheckpointTrigger.cannotServe(17, 9, 24, i -> Optional.of(accepted))); // chosen mark lost
        assertTrue(CheckpointTrigger.cannotServe(17, 9, 24, i -> Optional.empty()));
        assertFalse(CheckpointTrigger.cannotServe(17, 9, 24, i -> Optional.of(chosen)));
        assertFalse(CheckpointTrigger.cannotServe(17, 9, 16, i -> Optional.of(accepted))); // not known chosen: Paxos decides
    }
}
