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
 * <p>A unit the same leader has not chosen after {@code resendTicks} is forwarded to it once more:
 * a forward can be lost without the leader changing (written to a connection that a partition's
 * heal then replaces), and its caller would otherwise wait its whole timeout. Once only, so that a
 * leader that is merely slow gets at most one duplicate per unit (execution skips it).
 *
 * <p>Bounded: at most {@code max} units (the oldest is forgotten: its caller's timeout reports the
 * unknown outcome, as before), each kept at most {@code keepTicks} ticks. A unit leaves when a
 * chosen value holds its first request ID (units are never split across instances). Owned by
 * {@link GroupCore}; single-threaded.
 */
final class Reforward {
    /** A unit forwarded to {@code leader} at tick {@code at}; {@code resent}: already forwarded again to the same leader. */
    private record Sent(ProposalQueue.Unit unit, int leader, long at, boolean resent) {}

    private final int self;
    private final int max;
    private final long keepTicks;
    private final long resendTicks;
    private final int commandsMax;
    /** By the unit's first request ID, oldest first. */
    private final LinkedHashMap<Long, Sent> sent = new LinkedHashMap<>();
    /** The leader of the last scan and when it ran: a steady leader needs a scan only to expire units. */
    private int scannedFor;
    private long scannedAt;

    /**
     * @param keepTicks how long a unit is tracked at most
     * @param resendTicks after how long a unit the same leader has not chosen is forwarded to it again ({@code >= 1})
     */
    Reforward(int self, int max, long keepTicks, long resendTicks, int commandsMax) {
        if (resendTicks < 1) throw new IllegalArgumentException("resendTicks must be >= 1: " + resendTicks);
        this.self = self;
        this.max = max;
        this.keepTicks = keepTicks;
        this.resendTicks = resendTicks;
        this.commandsMax = commandsMax;
    }

    /** Notes a unit forwarded to {@code leader}; only this node's own units are kept. */
    void forwarded(ProposalQueue.Unit u, int leader, long now) {
        BatchCommand first = u.commands().get(0);
        if (first.proposerNode() != self) return;
        Sent before = sent.remove(first.requestId());
        boolean resent = before != null && before.resent() && before.leader() == leader;
        sent.put(first.requestId(), new Sent(u, leader, now, resent));
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
     * them notes them again). Also, once each, those sent to {@code leader} itself at least
     * {@code resendTicks} ago (they stay, marked). Units older than {@code keepTicks} are dropped.
     */
    List<ProposalQueue.Unit> takeForNewLeader(int leader, long now) {
        if (sent.isEmpty()) return List.of();
        // units sent since the last scan went to the leader of that scan: only a change, a resend or an expiry needs one
        if (leader == scannedFor && now - scannedAt < Math.min(keepTicks, resendTicks)) return List.of();
        scannedFor = leader;
        scannedAt = now;
        List<ProposalQueue.Unit> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Sent>> it = sent.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Sent> e = it.next();
            Sent s = e.getValue();
            if (now - s.at() > keepTicks) {
                it.remove();
            } else if (s.leader() != leader) {
                out.add(s.unit());
                it.remove();
            } else if (!s.resent() && now - s.at() >= resendTicks) {
                out.add(s.unit());
                e.setValue(new Sent(s.unit(), s.leader(), s.at(), true));
            }
        }
        return out;
    }

    int size() {
        return sent.size();
    }
}
