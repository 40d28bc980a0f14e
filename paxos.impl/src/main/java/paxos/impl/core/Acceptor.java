package paxos.impl.core;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import paxos.api.spi.log.LogRecord;

/**
 * The durable acceptor of one group: a group-wide promise and the accepted values of instances
 * not yet known chosen. Every change is queued as a {@link LogRecord} in the outbox, which the
 * caller makes durable before any reply leaves (see {@link Ready}).
 */
final class Acceptor {
    /** An accepted value. */
    record Accepted(long ballot, byte[] value) {}

    private final int group;
    private final Outbox out;
    private long promised;
    private final TreeMap<Long, Accepted> accepted = new TreeMap<>();

    Acceptor(int group, long promised, Outbox out) {
        this.group = group;
        this.promised = promised;
        this.out = out;
    }

    long promised() {
        return promised;
    }

    /** Promises {@code ballot} if it is not below the current promise; persists a raise. */
    boolean promise(long ballot) {
        if (ballot < promised) return false;
        if (ballot > promised) {
            promised = ballot;
            out.persist.add(new LogRecord.Promise(group, ballot));
        }
        return true;
    }

    /** Accepts unless {@code ballot} is below the promise (an accept implies its promise). */
    boolean accept(long ballot, long instance, byte[] value) {
        if (!promise(ballot)) return false;
        accepted.put(instance, new Accepted(ballot, value));
        out.persist.add(new LogRecord.Accept(group, instance, ballot, value));
        return true;
    }

    /** Rebuilds state from the log at restart; persists nothing. */
    void restore(long instance, long ballot, byte[] value) {
        Accepted old = accepted.get(instance);
        if (old == null || old.ballot() <= ballot) accepted.put(instance, new Accepted(ballot, value));
        promised = Math.max(promised, ballot);
    }

    Accepted accepted(long instance) {
        return accepted.get(instance);
    }

    /** Accepts of instances {@code >= from}, increasing. */
    NavigableMap<Long, Accepted> acceptedFrom(long from) {
        return accepted.tailMap(from, true);
    }

    /**
     * The entries of a promise: this acceptor's accepted values of instances {@code >= from} and
     * the known-chosen values in {@code chosen} (a chosen value replaces an accepted one of its
     * instance), in instance order, at most {@code entriesMax} and about {@code bytesMax} value
     * bytes (always at least one entry); true if truncated (the proposer asks again from there).
     */
    boolean promiseEntries(long from, Map<Long, Learner.Chosen> chosen, int entriesMax, int bytesMax,
                           List<Message.Entry> entries) {
        TreeMap<Long, Message.Entry> all = new TreeMap<>();
        for (Map.Entry<Long, Accepted> e : acceptedFrom(from).entrySet())
            all.put(e.getKey(), new Message.Entry(e.getKey(), e.getValue().ballot(), e.getValue().value(), false));
        for (Map.Entry<Long, Learner.Chosen> e : chosen.entrySet())
            all.put(e.getKey(), new Message.Entry(e.getKey(), e.getValue().ballot(), e.getValue().value(), true));
        long bytes = 0;
        for (Message.Entry e : all.values()) {
            if (entries.size() >= entriesMax || (!entries.isEmpty() && bytes + e.value().length > bytesMax))
                return true;
            entries.add(e);
            bytes += e.value().length;
        }
        return false;
    }

    /** The instance is chosen: its accept no longer matters for phase 1. */
    void forget(long instance) {
        accepted.remove(instance);
    }

    int acceptedCount() {
        return accepted.size();
    }
}
