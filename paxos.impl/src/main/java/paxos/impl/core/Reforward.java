package paxos.impl.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's own proposal units forwarded to a leader and not yet seen chosen, so that they can
 * be forwarded again at once when the leader they went to is lost (another leader is heard of, or
 * this node leads). Why it is safe: a unit may then be chosen twice (the old leader may have got
 * it accepted before it was cut off), and execution skips a request ID it executed already
 * ({@code paxos.impl.exec.RequestDedup}); why it is needed: otherwise the caller waits for its
 * whole timeout although a new leader took over within an election timeout.
 *
 * <p>Bounded: at most {@code max} units (the oldest is forgotten: its caller's timeout reports the
 * unknown outcome, as before), each kept at most {@code keepTicks} ticks. A unit leaves when a
 * chosen value holds its first request ID (units are never split across instances). Owned by
 * {@link GroupCore}; single-threaded.
 */
final class Reforward {
    /** A unit forwarded to {@code leader} at tick {@code at}. */
    private record Sent(ProposalQueue.Unit unit, int leader, long at) {}

    private final int self;
    private final int max;
    private final long keepTicks;
    private final int commandsMax;
    /** By the unit's first request ID, oldest first. */
    private final LinkedHashMap<Long, Sent> sent = new LinkedHashMap<>();
    /** The leader of the last scan and when it ran: a steady leader needs a scan only to expire units. */
    private int scannedFor;
    private long scannedAt;

    Reforward(int self, int max, long keepTicks, int commandsMax) {
        this.self = self;
        this.max = max;
        this.keepTicks = keepTicks;
        this.commandsMax = commandsMax;
    }

    /** Notes a unit forwarded to {@code leader}; only this node's own units are kept. */
    void forwarded(ProposalQueue.Unit u, int leader, long now) {
        BatchCommand first = u.commands().get(0);
        if (first.proposerNode() != self) return;
        sent.remove(first.requestId());
        sent.put(first.requestId(), new Sent(u, leader, now));
        while (sent.size() > max) sent.remove(sent.keySet().iterator().next());
    }

    /** A value was chosen: the units it holds are done. */
    void chosen(byte[] value) {
        if (sent.isEmpty()) return;
        List<BatchCommand> commands;
        try {
            commands = BatchCodec.decode(value, commandsMax);
        } catch (IllegalArgumentException e) {
            return; // not a batch of ours to track; execution reports it
        }
        for (BatchCommand c : commands) if (c.proposerNode() == self) sent.remove(c.requestId());
    }

    /**
     * The units to forward again now that {@code leader} leads (this node, or the leader it
     * forwards to): those sent to another leader, oldest first; they leave this table (forwarding
     * them notes them again). Units older than {@code keepTicks} are dropped.
     */
    List<ProposalQueue.Unit> takeForNewLeader(int leader, long now) {
        if (sent.isEmpty()) return List.of();
        // units sent since the last scan went to the leader of that scan: only a change (or expiry) needs one
        if (leader == scannedFor && now - scannedAt < keepTicks) return List.of();
        scannedFor = leader;
        scannedAt = now;
        List<ProposalQueue.Unit> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Sent>> it = sent.entrySet().iterator(); it.hasNext(); ) {
            Sent s = it.next().getValue();
            if (now - s.at() > keepTicks) {
                it.remove();
            } else if (s.leader() != leader) {
                out.add(s.unit());
                it.remove();
            }
        }
        return out;
    }

    int size() {
        return sent.size();
    }
}
