package paxos.testplugins.counter.v1;

import java.util.OptionalLong;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineProperties;
import paxos.testplugins.counter.CounterComponent;
import paxos.testplugins.counter.CounterStateMachine;

/**
 * Counter 1.1.0: understands {@code add N} only.
 */
@Component(service = StateMachine.class,
        property = {StateMachineProperties.STATE_MACHINE_ID + ":Integer=" + CounterStateMachine.STATE_MACHINE_ID,
                    StateMachineProperties.NAME + "=counter"})
public final class CounterV1 extends CounterComponent {

    @Activate
    public CounterV1(BundleContext context) {
        super(context, CounterV1::apply);
    }

    static OptionalLong apply(String op, long arg, long value) {
        return op.equals("add") ? OptionalLong.of(value + arg) : OptionalLong.empty();
    }
}
