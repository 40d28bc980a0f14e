package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/** Claims about execution, one per test. */
class GroupExecutorTest {
    /** Records every call and answers each command with its value as a string. */
    static final class Recorder implements StateMachine {
        final List<ExecutionBatch> calls = new ArrayList<>();

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            calls.add(batch);
            batch.commands().forEach(c -> results.complete(c.index(), new String(c.value())));
        }
    }

    private final GroupExecutor executor = new GroupExecutor(0, 1, ExecutorState.INITIAL, 1000);
    private long instance;

    private void offer(BatchCommand... commands) {
        executor.offer(new ChosenValue(instance++, BatchCodec.encode(List.of(commands))));
    }

    private static BatchCommand cmd(int sm, long version, int node, long request, String value) {
        return new BatchCommand(sm, version, node, request, value.getBytes());
    }

    private static BatchCommand claim(int node, long expected, long request) {
        return new BatchCommand(0, -1, node, request, new SystemCommand.MasterClaim(node, expected, 1000).encode());
    }

    @Test
    void anInstancesCommandsForOneStateMachineArriveInOneCall() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        executor.register(7, a);
        executor.register(8, b);
        offer(cmd(7, -1, 1, 1, "x"), cmd(8, -1, 1, 2, "y"), cmd(7, -1, 1, 3, "z"));
        List<ExecOutcome> out = executor.run();
        assertEquals(1, a.calls.size());
        assertEquals(List.of(0, 2), a.calls.get(0).commands().stream().map(c -> c.index()).toList());
        assertEquals(3, out.size());
        assertEquals("z", ((ExecOutcome.Completed) out.get(2)).result());
    }

    @Test
    void anEarlierIncarnationsCommandUnderAReusedRequestIdCompletesNoCallerHere() {
        Recorder a = new Recorder();
        executor.register(7, a);
        // a caller here waits for request 5 with "new"; the node's former incarnation used 5 for "old"
        executor.awaitedBy((id, value) -> id != 5 || new String(value).equals("new"));
        offer(cmd(7, -1, 1, 5, "old"), cmd(7, -1, 1, 6, "other"));
        List<ExecOutcome> out = executor.run();
        assertEquals(1, a.calls.size(), "it executes all the same, as on every replica");
        assertEquals(List.of(6L), out.stream().map(ExecOutcome::requestId).toList(), "but completes nobody here");
        offer(cmd(7, -1, 1, 5, "new"));
        assertEquals(List.of(), executor.run(), "the caller's own command is a duplicate now: it times out, never gets \"old\"");
        assertEquals(2, a.calls.stream().mapToInt(c -> c.commands().size()).sum(), "the duplicate did not execute");
    }

    @Test
    void missingStateMachineMakesExecutionWaitNeverSkip() {
        Recorder a = new Recorder();
        executor.register(7, a);
        offer(cmd(9, -1, 1, 1, "x"));
        offer(cmd(7, -1, 1, 2, "y"));
        executor.run();
        assertEquals(List.of(9), executor.waitingFor());
        assertEquals(-1, executor.executedInstance());
        assertTrue(a.calls.isEmpty(), "the later instance waits too");
        executor.register(9, new Recorder());
        executor.run();
        assertEquals(1, executor.executedInstance());
        assertEquals(List.of(), executor.waitingFor());
    }

    @Test
    void masterClaimSucceedsOnlyAgainstTheVersionInForceAndItsInstanceBecomesTheVersion() {
        offer(claim(2, -1, 1));
        offer(claim(3, -1, 2));
        executor.run();
        assertEquals(new MasterInfo(2, 0, 1000), executor.master());
    }

    @Test
    void conditionalCommandRunsOnlyUnderTheVersionItNames() {
        Recorder a = new Recorder();
        executor.register(7, a);
        offer(claim(1, -1, 1));                       // version 0
        offer(cmd(7, 0, 1, 2, "ok"), claim(3, 0, 3), cmd(7, 0, 1, 4, "late"));
        List<ExecOutcome> out = executor.run();
        assertEquals(List.of("ok"), a.calls.get(1).commands().stream().map(c -> new String(c.value())).toList());
        ExecOutcome.Failed late = (ExecOutcome.Failed) out.stream().filter(o -> o.requestId() == 4).findFirst().orElseThrow();
        assertEquals(1, ((MasterChangedException) late.error()).versionInForce());
    }

    @Test
    void resultsReachOnlyTheProposingNode() {
        GroupExecutor other = new GroupExecutor(0, 2, ExecutorState.INITIAL, 1000);
        other.register(7, new Recorder());
        other.offer(new ChosenValue(0, BatchCodec.encode(List.of(cmd(7, -1, 1, 1, "x")))));
        assertTrue(other.run().isEmpty());
    }

    @Test
    void replayReachesTheSameDecisions() {
        List<byte[]> log = List.of(BatchCodec.encode(List.of(claim(2, -1, 1))),
                BatchCodec.encode(List.of(cmd(7, 0, 1, 2, "a"), cmd(7, 5, 1, 3, "b"))));
        List<String> first = replay(log);
        assertEquals(first, replay(log));
        assertEquals(2, first.size());
    }

    private static List<String> replay(List<byte[]> log) {
        GroupExecutor e = new GroupExecutor(0, 1, ExecutorState.INITIAL, 1000);
        e.register(7, new Recorder());
        for (int i = 0; i < log.size(); i++) e.offer(new ChosenValue(i, log.get(i)));
        return e.run().stream().map(Object::toString).map(s -> s.replaceAll("@[0-9a-f]+", "")).toList();
    }

    @Test
    void barrierTellsItsProposerWhereItExecuted() {
        offer(cmd(7, -1, 2, 1, "other"));
        offer(new BatchCommand(0, -1, 1, 9, new SystemCommand.Barrier().encode()));
        executor.register(7, new Recorder());
        List<ExecOutcome> out = executor.run();
        assertEquals(new ExecOutcome.Completed(9, 1, 0, null), out.get(0));
    }

    @Test
    void undecodableBatchFailsTheGroup() {
        executor.offer(new ChosenValue(0, new byte[] {9, 9}));
        executor.run();
        assertNotNull(executor.failure());
    }

    @Test
    void throwingStateMachineStopsItselfAndHoldsTheGroupUntilRegisteredAgain() {
        Recorder other = new Recorder();
        executor.register(5, other);
        executor.register(7, (batch, results) -> {
            if (!batch.commands().isEmpty()) throw new IllegalStateException("boom");
        });
        offer(cmd(5, -1, 1, 1, "a"), cmd(7, -1, 1, 2, "poison"));
        offer(cmd(5, -1, 1, 3, "b"));
        executor.run();
        assertEquals(null, executor.failure(), "the group is not failed for good");
        assertTrue(executor.failedMachines().get(7).contains("boom"), "the failure names the exception");
        assertTrue(executor.failedMachines().get(7).contains("instance 0"), "and the instance");
        assertEquals(List.of(7), executor.waitingFor());
        assertEquals(-1, executor.executedInstance(), "never skipped");
        assertEquals(1, other.calls.size(), "state machine 5 ran instance 0 once, before 7 threw");
        executor.run();
        assertEquals(1, other.calls.size(), "and is not called twice for it");

        Recorder fixed = new Recorder();
        executor.unregister(7);
        executor.register(7, fixed, -1);
        executor.run();
        assertEquals(1, executor.executedInstance());
        assertEquals(Map.of(), executor.failedMachines());
        assertEquals("poison", new String(fixed.calls.get(0).commands().get(0).value()));
        assertEquals(2, other.calls.size());
    }
}
