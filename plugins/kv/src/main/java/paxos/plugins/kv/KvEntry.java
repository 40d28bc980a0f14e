package paxos.plugins.kv;

/**
 * A stored value and its version. Versions are positive, increase with every applied write of
 * the group, and are identical on every replica (they count applied writes, a pure function of
 * the log).
 *
 * @param value the bytes; a fresh copy per read
 * @param version the version of the write that stored it
 */
public record KvEntry(byte[] value, long version) {}
