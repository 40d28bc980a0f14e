package paxos.plugins.config;

import java.util.SortedMap;

/**
 * A stored configuration: its PID, properties and version. Versions are positive, grow with every
 * applied write of the group (they count applied writes, a pure function of the log) and are
 * therefore identical on every replica.
 *
 * @param pid the configuration PID
 * @param properties canonical properties (see {@link ConfigProperties}); unmodifiable; arrays in
 *     it are fresh copies per read
 * @param version the version of the write that stored it, {@code >= 1}
 */
public record ConfigEntry(String pid, SortedMap<String, Object> properties, long version) {}
