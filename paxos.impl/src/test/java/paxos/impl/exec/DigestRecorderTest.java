package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/** Digests are taken right after execute, at the agreed instances only. */
class DigestRecorderTest {
    /** Counts executed commands; its digest is the count and the instance it was asked for. */
    static final class Counting implements StateMachine, DigestSupport {
        long executed = -1;
        long commands;

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            executed = batch.instance();
            commands += batch.commands().size();
        }

        @Override
        public long digest(int group, long instance) {
            if (instance != executed) throw new AssertionError("digest of " + instance + " but executed " + executed);
            if (commands == 3) throw new IllegalStateException("cannot tell now");
            return commands;
        }
    }

    private record Taken(int id, long instance, long digest) {}

    @Test
    void everyIntervalThInstanceIsDigestedRightAfterItsExecution() {
        List<Taken> taken = new ArrayList<>();
        DigestRecorder recorder = new DigestRecorder(0, 4, (id, instance, d) -> taken.add(new Taken(id, instance, d)));
        GroupExecutor executor = new GroupExecutor(0, 1, ExecutorState.INITIAL, 100);
        executor.observer(recorder);
        executor.register(5, new Counting());
        executor.register(6, new GroupExecutorTest.Recorder()); // no digest ability: never asked
        for (long i = 0; i < 12; i++) {
            List<BatchCommand> cmds = i == 2 ? List.of() : List.of(new BatchCommand(5, -1, 1, i + 1, new byte[] {1}));
            executor.offer(new ChosenValue(i, BatchCodec.encode(cmds)));
        }
        executor.run();
        // instance 3 (count 3) throws: skipped, not fatal; 7 -> 7 commands; 11 -> 11
        assertEquals(List.of(new Taken(5, 7, 7), new Taken(5, 11, 11)), taken);
        assertEquals(1, recorder.skipped());
        assertEquals(11, executor.executedInstance());
    }

    @Test
    void digestPointsAreAPureFunctionOfTheInstance() {
        assertEquals(List.of(3L, 7L), java.util.stream.LongStream.range(0, 10)
                .filter(i -> DigestRecorder.isDigestPoint(i, 4)).boxed().toList());
    }
}
