package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.MasterInfo;
import paxos.api.spi.log.LogRecord;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.Early;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.log.InMemoryLogStore;

/**
 * Which reported positions a (re-)registering state machine may have: what this node executed
 * counts even where the loop's published chosen position still lags (chosen values go to
 * execution before the loop publishes, {@link Early#applyEarly}); a log that holds something
 * allows {@link Early#APPLY_AHEAD_MAX} more (a crash may leave a state machine that far ahead);
 * an empty log none.
 */
class RegistrationsTest {
    private final InMemoryLogStore store = new InMemoryLogStore();
    private final ExecMeta meta = ExecMeta.empty();
    private String failure;
    /** What the loop published last. */
    private long published;

    private Registrations registrations(long executedUpTo) {
        GroupExecutor executor = new GroupExecutor(0, 1, new ExecutorState(executedUpTo + 1, MasterInfo.NONE, -1), 64);
        Registrations.Host host = new Registrations.Host() {
            @Override public long chosenUpTo() { return published; }
            @Override public void fail(String why) { failure = why; }
            @Override public void proposeActivation(int id, String version) { }
        };
        return new Registrations(0, executor, store, meta, new ManualClock(), host);
    }

    private static StateMachineRegistry.Registration at(long position) {
        StateMachine machine = new StateMachine() {
            @Override public void execute(ExecutionBatch batch, ExecutionResults results) { }
            @Override public long checkpointInstance(int group) { return position; }
        };
        return new StateMachineRegistry.Registration(0, 1, "1.0.0", "sm", machine);
    }

    private void logThrough(long last) {
        for (long i = 0; i <= last; i++)
            store.append(List.of(new LogRecord.Chosen(0, i, 1, new byte[0]))).toCompletableFuture().join();
    }

    @Test
    void aStateMachineAtWhatExecutedJoinsWhileThePublishedChosenPositionLags() {
        published = 7; // the loop has not published instance 8 yet; execution has it
        Registrations r = registrations(8);
        r.add(at(8));
        assertNull(failure, "a state machine exactly where execution stands is this node's own");
        assertEquals(1, r.registered().size());
    }

    @Test
    void withAnEmptyLogAStateMachineAheadOfEverythingFailsTheGroup() {
        published = -1;
        registrations(-1).add(at(5));
        assertTrue(failure != null && failure.contains("reports checkpoint instance 5"), String.valueOf(failure));
    }

    @Test
    void aCrashMayLeaveAStateMachineAheadOfTheLogByTheEarlyExecutionBoundAndNoMore() {
        logThrough(9);
        published = 9;
        registrations(9).add(at(9 + Early.APPLY_AHEAD_MAX));
        assertNull(failure, "within the bound: the group learns the rest from its peers");
        meta.positions().clear(); // a fresh start: nothing recorded
        registrations(9).add(at(9 + Early.APPLY_AHEAD_MAX + 1));
        assertTrue(failure != null && failure.contains("by more than a crash can explain"), String.valueOf(failure));
    }

    @Test
    void theRecordedPositionNeverPassesWhatExecutedHere() {
        logThrough(9);
        published = 9;
        Registrations r = registrations(9);
        r.add(at(50));
        r.notePositions();
        // the replay after another crash starts from here: the master and version history is complete only up to 9
        assertEquals(9L, meta.positions().get(1));
    }
}
