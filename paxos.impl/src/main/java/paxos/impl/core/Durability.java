package paxos.impl.core;

import paxos.api.spi.log.LogRecord;

/**
 * How durable one of a {@link Ready}'s records must be before the Ready's effects (sending its
 * messages, serving its reads, applying its values, answering callers). The one place that
 * decides it is {@link #of(LogRecord)}; the runtime and the simulated disk both obey it, because
 * the runtime appends {@link #SYNCED} records with {@code LogStore.append} and {@link #UNSYNCED}
 * ones with {@code LogStore.appendUnsynced}, and the disk keeps exactly what was synced.
 */
public enum Durability {
    /**
     * Appended and synced before any effect of the Ready: the acceptor's promises and accepts, and
     * the core's membership history ({@link ConfigTracker}): a change must be durable before the
     * instance that chose it executes, or a checkpoint past it could make a restart forget it.
     * A reply built on them is a vote a peer counts; a crash that forgot the vote could let the
     * node vote otherwise later, which breaks Paxos safety.
     */
    SYNCED,
    /**
     * Appended without a sync of its own (durable at the next sync of anything, or lost by a
     * crash before it): chosen marks and metadata. Losing one is safe — the value is still chosen
     * by a quorum's durable accepts, and the node learns it again.
     */
    UNSYNCED;

    /** The production rule. */
    public static Durability of(LogRecord record) {
        return record instanceof LogRecord.Promise || record instanceof LogRecord.Accept || record instanceof LogRecord.Meta
                ? SYNCED : UNSYNCED;
    }

    /**
     * Which durability a record gets; {@link #PRODUCTION} is {@link Durability#of}. Any other rule
     * is a deliberately broken build, for the simulator to prove its oracles catch the break.
     */
    @FunctionalInterface
    public interface Rule {
        Rule PRODUCTION = Durability::of;

        Durability of(LogRecord record);
    }
}
