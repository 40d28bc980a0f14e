/**
 * The node's metrics in the Prometheus text exposition format ({@code GET /paxos/metrics}): a
 * small registry of its own over HdrHistogram (see the README, operators' section, for why not
 * Micrometer or the Prometheus client) that reads counters and gauges from status snapshots at
 * scrape time and records latencies where they happen, through narrow observers.
 *
 * <p>Nothing here logs per operation; recording is lock-free (HdrHistogram {@code Recorder},
 * {@code LongAdder}), scraping takes a lock per distribution.
 */
package paxos.impl.metrics;
