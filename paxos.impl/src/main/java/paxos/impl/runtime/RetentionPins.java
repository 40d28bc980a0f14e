package paxos.impl.runtime;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Keeps the log above a checkpoint this node sends: while a checkpoint at instance {@code i} is
 * sent, and for {@code retentionPinMillis} after, the group's runner must not delete instances
 * from {@code i + 1} on, or the receiver would install the checkpoint and then find the log it
 * must continue from already gone. One pin per outgoing transfer; the group's retention is capped
 * at its lowest live pin.
 *
 * <p><b>Threads.</b> {@link #pin} and {@link #release} on sender threads, {@link #tick} on the
 * engine clock; any order. Every change re-applies the group's cap. Bounded by the concurrent
 * senders plus those released within the pin time. Never throws.
 */
final class RetentionPins {
    private record Pin(int group, long floor, long untilNanos) {}

    private final Map<Long, Pin> pins = new ConcurrentHashMap<>();
    private final IntFunction<GroupRunner> runners;
    private final long pinMillis;

    /**
     * @param runners the group's current runner (whose retention is capped)
     * @param pinMillis how long a pin outlives its transfer
     */
    RetentionPins(IntFunction<GroupRunner> runners, long pinMillis) {
        this.runners = runners;
        this.pinMillis = pinMillis;
    }

    /** Transfer {@code transferId} locked a checkpoint at {@code floor - 1}: keep the log from {@code floor} on. */
    void pin(long transferId, int group, long floor) {
        pins.put(transferId, new Pin(group, floor, Long.MAX_VALUE));
        apply(group);
    }

    /** The transfer ended: its pin lapses after the pin time (the receiver may still be installing). */
    void release(long transferId, int group) {
        Pin p = pins.get(transferId);
        if (p != null) pins.put(transferId, new Pin(group, p.floor(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pinMillis)));
        apply(group);
    }

    /** Drops lapsed pins and re-applies every pinned group's cap (engine clock thread). */
    void tick() {
        Set<Integer> pinned = new TreeSet<>();
        for (Pin p : pins.values()) pinned.add(p.group());
        for (int g : pinned) apply(g);
    }

    /** Keeps the log of {@code g} from {@code floor} on while a checkpoint at {@code floor - 1} is sent or was just sent. */
    private void apply(int g) {
        long now = System.nanoTime();
        long cap = Long.MAX_VALUE;
        for (Map.Entry<Long, Pin> e : pins.entrySet()) {
            Pin p = e.getValue();
            if (p.untilNanos() != Long.MAX_VALUE && now - p.untilNanos() > 0) {
                pins.remove(e.getKey(), p);
                continue;
            }
            if (p.group() == g) cap = Math.min(cap, p.floor());
        }
        runners.apply(g).capRetention(cap);
    }
}
