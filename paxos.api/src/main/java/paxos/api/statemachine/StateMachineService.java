package paxos.api.statemachine;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Typed service properties for a Declarative Services component that provides a
 * {@link StateMachine}: {@code @Component(service = StateMachine.class) @StateMachineService(id = 7, groups = {0})}.
 * The member names map to {@link StateMachineProperties}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface StateMachineService {
    /** Prefix so that {@code id} becomes {@code paxos.statemachine.id}. */
    String PREFIX_ = "paxos.statemachine.";

    /** See {@link StateMachineProperties#STATE_MACHINE_ID}. */
    int id();

    /** See {@link StateMachineProperties#GROUPS}; empty means every group. */
    int[] groups() default {};

    /** See {@link StateMachineProperties#NAME}. */
    String name() default "";
}
