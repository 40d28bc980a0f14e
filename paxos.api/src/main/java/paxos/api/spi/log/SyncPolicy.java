package paxos.api.spi.log;

/**
 * When a store makes writes durable. There is deliberately no "sync every N writes" policy: it
 * acknowledges writes that a crash then loses.
 */
public enum SyncPolicy {
    /**
     * The default. Writes queued together share one fsync (group commit, across groups); a write's
     * stage completes only after the fsync that covers it.
     */
    SYNC,
    /**
     * No fsync at all; stages complete when the bytes reached the OS. A machine crash loses
     * acknowledged writes and can break Paxos safety. Tests and benchmarks only; stores log a loud
     * warning when opened with it.
     */
    NONE
}
