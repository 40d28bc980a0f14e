package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.log.InMemoryLogStore;

/** Store and positions in, core and executor out: where replay starts and when the files do not fit. */
class GroupRecoveryTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private final InMemoryLogStore store = new InMemoryLogStore();

    private static EngineConfig config(String cluster) {
        return EngineConfig.builder(1, MEMBERS).clusterId(cluster).dataDir(Path.of("unused")).groupCount(1).build();
    }

    private GroupRecovery recovery(String cluster) {
        return new GroupRecovery(config(cluster), store, g -> { }, new SplittableRandom(1));
    }

    /** A state machine whose checkpoint is at {@code instance}. */
    private static StateMachine at(long instance) {
        return new StateMachine() {
            @Override public void execute(ExecutionBatch batch, ExecutionResults results) { }
            @Override public long checkpointInstance(int group) { return instance; }
        };
    }

    private void chosen(long from, long to) {
        for (long i = from; i < to; i++)
            store.append(List.of(new LogRecord.Chosen(0, i, 1, new byte[0]))).toCompletableFuture().join();
    }

    @Test
    void aFreshStoreStartsAtZeroAndRecordsItsOwner() {
        GroupRecovery.Recovered r = recovery("c").recover(0, Map.of());
        assertEquals(0, r.applyFrom());
        assertNull(r.inconsistent());
        assertTrue(store.meta(0, StartupCheck.OWNER_KEY).isPresent());
    }

    @Test
    void replayStartsAfterTheLowestPositionEverReported() {
        chosen(0, 20);
        ExecMeta meta = ExecMeta.empty();
        meta.positions().put(1, 14L); // state machine 1, not deployed now
        store.append(List.of(new LogRecord.Meta(0, ExecMeta.KEY, meta.encode()))).toCompletableFuture().join();
        GroupRecovery.Recovered r = recovery("c").recover(0, Map.of(2, at(9)));
        assertEquals(10, r.applyFrom());
        assertNull(r.inconsistent());
        assertEquals(Map.of(1, 14L, 2, 9L), Map.copyOf(r.meta().positions()));
        assertEquals(10, r.executor().nextInstance());
    }

    @Test
    void aStateMachineACrashLeftAheadOfTheLogWithinTheEarlyExecutionBoundResumesWhereItIs() {
        chosen(0, 20);
        long ahead = 19 + paxos.impl.core.Early.APPLY_AHEAD_MAX;
        GroupRecovery.Recovered r = recovery("c").recover(0, Map.of(1, at(ahead)));
        assertNull(r.inconsistent(), "chosen values execute before this node's records of them are durable");
        assertEquals(0, r.applyFrom(), "the history replays from the log; the state machine gets only what is above it");
        assertTrue(recovery("c").recover(0, Map.of(1, at(ahead + 1))).inconsistent()
                .contains("by more than a crash can explain"));
    }

    @Test
    void theExecutedRequestsTableAtTheReplayStartSurvivesARestart() {
        chosen(0, 20);
        ExecMeta meta = ExecMeta.empty();
        meta.requests().noteExecuted(List.of(new paxos.impl.exec.GroupExecutor.ExecutedRequest(3, 2, 77),
                new paxos.impl.exec.GroupExecutor.ExecutedRequest(12, 2, 78)));
        meta.positions().put(1, 9L);
        meta.replayFrom().ifPresent(meta.requests()::advanceTo); // as housekeeping does
        store.append(List.of(new LogRecord.Meta(0, ExecMeta.KEY, meta.encode()))).toCompletableFuture().join();
        GroupRecovery.Recovered r = recovery("c").recover(0, Map.of(1, at(9)));
        assertEquals(10, r.applyFrom());
        // 78 ran at 12, which the replay executes again: only what ran before the replay start is in the table
        assertEquals(Map.of(2, Map.of(77L, 3L)), r.executor().executedRequests());
    }

    @Test
    void filesFromAnotherNodeOrAnUnrecordableInstallLeaveTheGroupFailedNotThrown() {
        recovery("c").recover(0, Map.of());
        assertTrue(recovery("other").recover(0, Map.of()).inconsistent().contains("belongs to cluster/node c/1"));
        assertTrue(recovery("c").recover(0, Map.of(1, at(50))).inconsistent().contains("reports checkpoint instance 50"));
        GroupRecovery broken = new GroupRecovery(config("c"), store, g -> { throw new IOException("disk full"); },
                new SplittableRandom(1));
        assertEquals("cannot record a completed checkpoint install: disk full", broken.recover(0, Map.of()).inconsistent());
    }
}
