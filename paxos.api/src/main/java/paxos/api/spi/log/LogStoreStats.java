package paxos.api.spi.log;

/**
 * Cumulative counters of a store since it was opened; for status pages and benchmarks.
 *
 * @param recordsAppended records accepted by {@link LogStore#append}
 * @param fsyncs file syncs performed (data files and any index syncs)
 * @param bytesWritten bytes written to data files (headers included)
 * @param indexBytesWritten bytes written to the index, as far as the store can tell
 * @param bytesDeleted bytes reclaimed by retention
 */
public record LogStoreStats(long recordsAppended, long fsyncs, long bytesWritten, long indexBytesWritten, long bytesDeleted) {}
