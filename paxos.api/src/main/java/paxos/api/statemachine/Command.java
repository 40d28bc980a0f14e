package paxos.api.statemachine;

/**
 * One chosen value addressed to a state machine, with its exact log position.
 *
 * @param instance the instance ID, {@code >= 0}
 * @param index the position inside that instance's batch, {@code >= 0}; indexes of one state
 *     machine's commands are increasing but not necessarily contiguous (other state machines'
 *     commands, and master-rejected ones, sit in between)
 * @param value the bytes as proposed; shared, must not be modified
 * @param masterVersion the master version the command was proposed under, or
 *     {@link paxos.api.Proposal#NO_MASTER_CONDITION}; a conditional command reaches a state
 *     machine only if that version was in force at this position
 */
public record Command(long instance, int index, byte[] value, long masterVersion) {}
