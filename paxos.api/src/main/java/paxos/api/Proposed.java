package paxos.api;

/**
 * Where a proposal landed and what the state machine answered on the proposing node.
 *
 * @param group the group
 * @param instance the instance that chose the value, {@code >= 0}
 * @param index the value's position inside that instance's batch, {@code >= 0}
 * @param result the object the state machine handed to
 *     {@link paxos.api.statemachine.ExecutionResults#complete} for this command on this node, or
 *     {@code null} if it handed none. It is never serialized; other replicas computed the same
 *     result from the same bytes but nobody waits for it there.
 */
public record Proposed(int group, long instance, int index, Object result) {}
