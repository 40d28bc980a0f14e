package paxos.testplugins.counter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import paxos.api.statemachine.StateMachine;
import paxos.testkit.StateMachineContract;

/** The state machine contract against the third-party counter (no checkpoint support, no digest). */
class CounterContractTest extends StateMachineContract {
    private static final Dialect ADD_AND_TIMES = (op, arg, value) -> switch (op) {
        case "add" -> OptionalLong.of(value + arg);
        case "times" -> OptionalLong.of(value * arg);
        default -> OptionalLong.empty();
    };

    @Override
    protected StateMachine open(Path dir) {
        return new CounterStateMachine(ADD_AND_TIMES, dir);
    }

    @Override
    protected byte[] command(int n) {
        return (n % 3 == 2 ? "times 3" : "add " + n).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected Object state(StateMachine sm, int group) {
        return ((CounterStateMachine) sm).value(group);
    }
}
