package paxos.api.spi.log;

/**
 * What the store holds for one instance of one group.
 *
 * @param group the group
 * @param instance the instance ID
 * @param ballot the ballot of the latest accept, or of the chosen value when {@code chosen}
 * @param value the accepted or chosen bytes; owned by the caller (a fresh array per read)
 * @param chosen true if a {@link LogRecord.Chosen} was written for this instance
 */
public record InstanceRecord(int group, long instance, long ballot, byte[] value, boolean chosen) {}
