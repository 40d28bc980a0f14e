package example.counter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import paxos.api.statemachine.StateMachine;
import paxos.testkit.StateMachineContract;

/** The platform's state machine contract: batches, replays, restarts, checkpoints, threads. */
class CounterContractTest extends StateMachineContract {
    @Override
    protected StateMachine open(Path dir) {
        return new Counter(dir);
    }

    @Override
    protected byte[] command(int n) {
        return (n % 5 == 4 ? "get" : "add " + n).getBytes(StandardCharsets.UTF_8);
    }
}
