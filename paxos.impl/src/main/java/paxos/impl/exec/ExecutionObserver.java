package paxos.impl.exec;

import paxos.api.statemachine.StateMachine;

/**
 * Hears, on the group's execution thread, that a state machine has just executed an instance
 * (its {@code execute} returned normally). Must not block and must not call the executor.
 */
@FunctionalInterface
public interface ExecutionObserver {
    /** Hears nothing. */
    ExecutionObserver NONE = (id, machine, instance) -> { };

    /** {@code machine}, registered as {@code stateMachineId}, has just executed {@code instance}. */
    void executed(int stateMachineId, StateMachine machine, long instance);
}
