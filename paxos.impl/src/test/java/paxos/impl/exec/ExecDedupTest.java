package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/** A request chosen twice executes once, with or without a restart in between. */
class ExecDedupTest {
    private static byte[] batch(BatchCommand... commands) {
        return BatchCodec.encode(List.of(commands));
    }

    private static BatchCommand cmd(int node, long request, String value) {
        return new BatchCommand(7, -1, node, request, value.getBytes());
    }

    private static List<String> run(GroupExecutor e, long from, List<byte[]> log) {
        GroupExecutorTest.Recorder r = new GroupExecutorTest.Recorder();
        e.register(7, r, from - 1);
        for (int i = 0; i < log.size(); i++) e.offer(new ChosenValue(from + i, log.get(i)));
        e.run();
        return r.calls.stream().flatMap(b -> b.commands().stream()).map(c -> new String(c.value())).toList();
    }

    @Test
    void aRequestChosenTwiceExecutesOnceAndOnlyItsFirstCopyAnswers() {
        GroupExecutor e = new GroupExecutor(0, 2, ExecutorState.INITIAL, 100);
        List<byte[]> log = List.of(batch(cmd(2, 10, "a")), batch(cmd(3, 10, "b"), cmd(2, 10, "a")),
                batch(cmd(2, 11, "c"), cmd(2, 11, "c"))); // twice in one instance too
        GroupExecutorTest.Recorder r = new GroupExecutorTest.Recorder();
        e.register(7, r, -1);
        for (int i = 0; i < log.size(); i++) e.offer(new ChosenValue(i, log.get(i)));
        List<ExecOutcome> out = e.run();
        assertEquals(List.of("a", "b", "c"), r.calls.stream().flatMap(b -> b.commands().stream()).map(c -> new String(c.value())).toList());
        assertEquals(List.of(10L, 11L), out.stream().map(ExecOutcome::requestId).toList(), "one outcome per request of node 2");
        assertEquals(0, ((ExecOutcome.Completed) out.get(0)).instance());
    }

    @Test
    void withDeduplicationOffEveryCopyExecutes() {
        GroupExecutor e = new GroupExecutor(0, 2, ExecutorState.INITIAL, 100, false);
        assertEquals(List.of("a", "a"), run(e, 0, List.of(batch(cmd(2, 10, "a")), batch(cmd(2, 10, "a")))));
    }

    @Test
    void theTableCarriedInTheStateDecidesAfterARestartAsItDidBefore() {
        GroupExecutor before = new GroupExecutor(0, 1, ExecutorState.INITIAL, 100);
        run(before, 0, List.of(batch(cmd(2, 10, "a")), batch(cmd(2, 11, "b"))));
        ExecutorState saved = new ExecutorState(before.nextInstance(), before.master(), before.leaseEntry(),
                before.versionsInForce(), before.executedRequests());
        assertEquals(Map.of(2, Map.of(10L, 0L, 11L, 1L)), saved.executedRequests());
        GroupExecutor after = new GroupExecutor(0, 1, saved, 100);
        assertEquals(List.of("c"), run(after, 2, List.of(batch(cmd(2, 10, "a"), cmd(2, 12, "c")))));
        assertEquals(before.master(), MasterInfo.NONE);
    }

    @Test
    void aRequestBelowAFullWindowIsNotExecutedAndItsCallerIsTold() {
        GroupExecutor e = new GroupExecutor(0, 2, ExecutorState.INITIAL, RequestDedup.WINDOW + 1);
        BatchCommand[] many = new BatchCommand[RequestDedup.WINDOW];
        for (int i = 0; i < many.length; i++) many[i] = cmd(2, 1000 + i, "x" + i);
        GroupExecutorTest.Recorder r = new GroupExecutorTest.Recorder();
        e.register(7, r, -1);
        e.offer(new ChosenValue(0, batch(many)));
        e.offer(new ChosenValue(1, batch(cmd(2, 999, "late"))));
        List<ExecOutcome> out = e.run();
        assertEquals(RequestDedup.WINDOW, r.calls.get(0).commands().size());
        assertEquals(List.of(), r.calls.get(1).commands(), "the late request reached no state machine");
        ExecOutcome.Failed late = (ExecOutcome.Failed) out.get(out.size() - 1);
        assertEquals(999, late.requestId());
        assertInstanceOf(GroupUnavailableException.class, late.error());
    }
}
