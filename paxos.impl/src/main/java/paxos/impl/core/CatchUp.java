package paxos.impl.core;

import java.util.List;

/**
 * Catch-up of one group's core: asking a peer for the chosen values this node lacks, and turning a
 * peer's request into a {@link CatchUpRead} for the runtime (the core cannot read storage). Owned
 * by one {@link GroupCore}, called only on its thread; pure.
 *
 * <p>Why one request at a time, retried on a timer and on another peer: a peer that does not answer
 * (down, or it let go of the range) must not stall this node, and asking every peer at once would
 * multiply the traffic of the slowest reader.
 */
final class CatchUp {
    private final CoreConfig cfg;
    private final int self;
    private final List<Integer> others;
    private final Learner learner;
    private long sentAt = Long.MIN_VALUE;
    private int rotation;

    CatchUp(CoreConfig cfg, List<Integer> others, Learner learner) {
        this.cfg = cfg;
        this.self = cfg.selfNodeId();
        this.others = others;
        this.learner = learner;
    }

    /**
     * The request to send at time {@code now}, or {@code null}: none while this node is not behind,
     * none while the last one may still be answered. A first request goes to the peer that reported
     * being ahead; a retry goes to the next peer in rotation.
     */
    Message.CatchUpRequest request(long now) {
        if (!learner.behind() || others.isEmpty()) {
            sentAt = Long.MIN_VALUE;
            return null;
        }
        boolean retry = sentAt != Long.MIN_VALUE;
        if (retry && now - sentAt < cfg.retransmitTicks()) return null;
        int target = learner.aheadNode();
        if (retry || target == 0 || target == self) target = others.get(Math.floorMod(rotation++, others.size()));
        long from = learner.chosenUpTo() + 1;
        long to = Math.min(learner.peerChosenUpTo() + 1, from + cfg.replyEntriesMax());
        sentAt = now;
        return new Message.CatchUpRequest(cfg.group(), self, target, from, to);
    }

    /** A reply brought progress: ask for the next range at once instead of waiting for the retry timer. */
    void progressed() {
        sentAt = Long.MIN_VALUE;
    }

    /** The storage read serving a peer's request (at most {@link CoreConfig#replyEntriesMax()}), or {@code null}. */
    CatchUpRead read(Message.CatchUpRequest q) {
        long to = Math.min(q.toInstance(), q.fromInstance() + cfg.replyEntriesMax());
        if (to <= q.fromInstance() || q.fromInstance() < 0) return null;
        return new CatchUpRead(cfg.group(), self, q.from(), q.fromInstance(), to, cfg.replyEntriesMax(),
                cfg.replyBytesMax(), learner.chosenUpTo());
    }
}
