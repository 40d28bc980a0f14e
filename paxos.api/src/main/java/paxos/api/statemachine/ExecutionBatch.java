package paxos.api.statemachine;

import java.util.List;

/**
 * The commands of one chosen instance addressed to one state machine.
 *
 * @param group the group
 * @param instance the instance ID, {@code >= 0}
 * @param commands in index order; possibly empty
 */
public record ExecutionBatch(int group, long instance, List<Command> commands) {
    /** Defensive copy of the list. */
    public ExecutionBatch {
        commands = List.copyOf(commands);
    }
}
