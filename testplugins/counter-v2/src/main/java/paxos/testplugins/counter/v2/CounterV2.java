package paxos.testplugins.counter.v2;

import java.util.OptionalLong;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineProperties;
import paxos.testplugins.counter.CounterComponent;
import paxos.testplugins.counter.CounterStateMachine;

/**
 * Counter 1.2.0: understands {@code add N} and, new in this version, {@code multiply N}.
 */
@Component(service = StateMachine.class,
        property = {StateMachineProperties.STATE_MACHINE_ID + ":Integer=" + CounterStateMachine.STATE_MACHINE_ID,
                    StateMachineProperties.NAME + "=counter"})
public final class CounterV2 extends CounterComponent {

    @Activate
    public CounterV2(BundleContext context) {
        super(context, CounterV2::apply);
    }

    static OptionalLong apply(String op, long arg, long value) {
        return switch (op) {
            case "add" -> OptionalLong.of(value + arg);
            case "multiply" -> OptionalLong.of(value * arg); // new in 1.2.0: 1.1.0 answers "unknown"
            default -> OptionalLong.empty();
        };
    }
}
