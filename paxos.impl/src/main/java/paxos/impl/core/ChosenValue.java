package paxos.impl.core;

/**
 * A chosen instance handed to the caller for execution, in instance order.
 *
 * @param instance the instance ID
 * @param value the encoded batch ({@link BatchCodec}); shared, never modified
 */
public record ChosenValue(long instance, byte[] value) {}
