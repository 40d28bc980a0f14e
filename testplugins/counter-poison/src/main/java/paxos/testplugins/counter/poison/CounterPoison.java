package paxos.testplugins.counter.poison;

import java.util.OptionalLong;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineProperties;
import paxos.testplugins.counter.CounterComponent;
import paxos.testplugins.counter.CounterStateMachine;

/**
 * Counter 1.3.0.poison: a broken build for failure tests: like 1.2.0, but {@code execute} throws on the command {@code poison}.
 */
@Component(service = StateMachine.class,
        property = {StateMachineProperties.STATE_MACHINE_ID + ":Integer=" + CounterStateMachine.STATE_MACHINE_ID,
                    StateMachineProperties.NAME + "=counter"})
public final class CounterPoison extends CounterComponent {

    @Activate
    public CounterPoison(BundleContext context) {
        super(context, CounterPoison::apply);
    }

    static OptionalLong apply(String op, long arg, long value) {
        return switch (op) {
            case "add" -> OptionalLong.of(value + arg);
            case "multiply" -> OptionalLong.of(value * arg);
            case "poison" -> throw new IllegalStateException("poison command: this build of the counter cannot execute it");
            default -> OptionalLong.empty();
        };
    }
}
