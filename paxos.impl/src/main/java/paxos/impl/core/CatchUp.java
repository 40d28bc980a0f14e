package paxos.impl.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Catch-up of one group's core: asking a peer for the chosen values this node lacks, and turning a
 * peer's request into a {@link CatchUpRead} for the runtime (the core cannot read storage). Owned
 * by one {@link GroupCore}, called only on its thread; pure.
 *
 * <p><b>Pipelined.</b> Up to {@link #REQUESTS_MAX} requests for consecutive ranges are outstanding
 * at once, all to one peer, each sized to about {@link #REQUEST_BYTES_TARGET} of values by the
 * largest value of the last reply (the first request, sizes unknown, goes alone and asks for
 * {@link CoreConfig#replyEntriesMax()}). Why: one request per round trip left the serving read,
 * the transfer and this node's log write each waiting for the others (measured: the catch-up
 * benchmark's rate was the sum of those latencies, not the slowest of them). Why small requests:
 * a reply of several MiB is one array of several MiB at every copy on its way (a humongous
 * allocation for G1 in a small heap; the benchmark spent as much CPU in GC as in the path).
 * Requests never reach more than {@code REQUESTS_MAX} request sizes beyond this node's contiguous
 * chosen position, so what arrives out of order and waits for a gap is bounded too.
 *
 * <p><b>Retries.</b> A peer that does not answer (down, or it let go of the range, or it lacks a
 * value) must not stall this node, and asking every peer at once would multiply the traffic of
 * the slowest reader: when this node's contiguous chosen position did not move for
 * {@link CoreConfig#retransmitTicks()}, the outstanding requests are forgotten and everything is
 * asked again, from the first instance not known chosen, of the next peer in rotation. A reply cut
 * short by the server's byte bound leaves its range's rest to ask again at once.
 *
 * <p><b>Hold.</b> While the runtime holds catch-up ({@link #hold}: execution lags), no new request
 * goes out; outstanding ones are still answered and learned.
 */
final class CatchUp {
    /** Most catch-up requests outstanding at once. */
    static final int REQUESTS_MAX = 8;
    /** Value bytes one request asks for, as estimated from the values seen (capped by {@link CoreConfig#replyBytesMax()}). */
    static final int REQUEST_BYTES_TARGET = 256 << 10;

    /** One outstanding request: instances {@code [from, to)}. */
    private record Range(long from, long to) {}

    private final CoreConfig cfg;
    private final int self;
    private final List<Integer> others;
    private final Learner learner;
    /** Outstanding requests, in the order sent (increasing instances, except re-asked rests). */
    private final ArrayDeque<Range> outstanding = new ArrayDeque<>();
    /** Rests of replies cut short, asked again before anything new. */
    private final ArrayDeque<Range> rests = new ArrayDeque<>();
    /** The first instance not yet asked for. */
    private long nextFrom;
    /** The largest value of the last reply, {@code 0} before the first: sizes the requests. */
    private long valueBytes;
    /** When the contiguous chosen position last moved (or catching up began, or the last retry); {@code Long.MIN_VALUE}: not behind. */
    private long progressAt = Long.MIN_VALUE;
    /** The contiguous chosen position as of {@link #progressAt}. */
    private long progressFrom;
    /** The contiguous chosen position when the last fresh start (nothing outstanding) sent its requests. */
    private long freshFrom = Long.MIN_VALUE;
    private int target;
    private int rotation;
    private boolean held;

    CatchUp(CoreConfig cfg, List<Integer> others, Learner learner) {
        this.cfg = cfg;
        this.self = cfg.selfNodeId();
        this.others = others;
        this.learner = learner;
    }

    /**
     * The requests to send at time {@code now} (often none): none while this node is not behind,
     * none beyond the outstanding bound, and a fresh start at the next peer in rotation once this
     * node's contiguous chosen position did not move for the retransmit time. A fresh start
     * (nothing outstanding) asks from the first instance not known chosen, of the peer that
     * reported being ahead.
     */
    List<Message.CatchUpRequest> requests(long now) {
        if (!learner.behind() || others.isEmpty()) {
            reset();
            target = 0;
            progressAt = Long.MIN_VALUE;
            freshFrom = Long.MIN_VALUE;
            return List.of();
        }
        long chosenUpTo = learner.chosenUpTo();
        if (progressAt == Long.MIN_VALUE || chosenUpTo != progressFrom) {
            progressFrom = chosenUpTo;
            progressAt = now;
        }
        outstanding.removeIf(r -> r.to() <= chosenUpTo + 1);
        rests.removeIf(r -> r.to() <= chosenUpTo + 1);
        if (held) {
            progressAt = now; // waiting for its own execution is no peer's failure
            return List.of();
        }
        // no progress: a request was lost, or the peer lacks a value (a reply past a gap), or it is gone
        boolean retry = now - progressAt >= cfg.retransmitTicks();
        if (retry) {
            reset();
            progressAt = now;
        }
        if (outstanding.isEmpty()) {
            // answered without progress (the peer lacks a value past a gap): the retry timer moves on
            if (!retry && chosenUpTo == freshFrom) return List.of();
            freshFrom = chosenUpTo;
            int t = learner.aheadNode();
            if (retry || t == 0 || t == self) {
                int last = target;
                t = others.get(Math.floorMod(rotation++, others.size()));
                // a retry asks another peer than the one that did not answer, when there is one
                if (retry && t == last && others.size() > 1) t = others.get(Math.floorMod(rotation++, others.size()));
            }
            target = t;
            rests.clear();
            nextFrom = chosenUpTo + 1;
        }
        long end = learner.peerChosenUpTo() + 1;
        int entries = entriesPerRequest();
        // nothing is asked beyond this: values past a gap wait in memory until it is filled
        long limit = chosenUpTo + 1 + (long) REQUESTS_MAX * entries;
        List<Message.CatchUpRequest> out = new ArrayList<>();
        int max = valueBytes == 0 ? 1 : REQUESTS_MAX; // sizes unknown: one request finds them out
        while (outstanding.size() < max) {
            Range r;
            if (!rests.isEmpty()) {
                r = rests.pollFirst();
            } else {
                long to = Math.min(Math.min(end, limit), nextFrom + entries);
                if (to <= nextFrom) break;
                r = new Range(nextFrom, to);
                nextFrom = to;
            }
            outstanding.addLast(r);
            out.add(new Message.CatchUpRequest(cfg.group(), self, target, r.from(), r.to()));
        }
        return out;
    }

    /** While {@code hold}, no new request goes out (the runtime's execution lags). */
    void hold(boolean hold) {
        held = hold;
    }

    /**
     * A reply arrived (already learned): the request it answers is done, so the next ones can go
     * at once, and the rest of its range, if the reply was cut short, is asked again first.
     * Whether it brought progress is for {@link #requests} to see.
     */
    void replied(Message.CatchUpReply r) {
        if (r.entries().isEmpty()) return; // the peer lacks the range: the retry timer moves on
        long first = r.entries().get(0).instance();
        long last = first;
        long largest = 0;
        for (Message.Entry e : r.entries()) {
            last = Math.max(last, e.instance());
            largest = Math.max(largest, e.value().length);
        }
        valueBytes = Math.max(1, largest);
        for (Iterator<Range> it = outstanding.iterator(); it.hasNext(); ) {
            Range q = it.next();
            if (first < q.from() || first >= q.to()) continue;
            it.remove();
            if (last + 1 < q.to()) rests.addLast(new Range(last + 1, q.to()));
            return;
        }
    }

    private void reset() {
        outstanding.clear();
        rests.clear();
        nextFrom = 0;
    }

    /** Instances per request: about {@link #REQUEST_BYTES_TARGET} of values of the size last seen. */
    private int entriesPerRequest() {
        if (valueBytes == 0) return cfg.replyEntriesMax();
        long bytes = Math.min(REQUEST_BYTES_TARGET, cfg.replyBytesMax());
        return (int) Math.max(1, Math.min(cfg.replyEntriesMax(), bytes / valueBytes));
    }

    /** The storage read serving a peer's request (at most {@link CoreConfig#replyEntriesMax()}), or {@code null}. */
    CatchUpRead read(Message.CatchUpRequest q) {
        long to = Math.min(q.toInstance(), q.fromInstance() + cfg.replyEntriesMax());
        if (to <= q.fromInstance() || q.fromInstance() < 0) return null;
        return new CatchUpRead(cfg.group(), self, q.from(), q.fromInstance(), to, cfg.replyEntriesMax(),
                cfg.replyBytesMax(), learner.chosenUpTo());
    }
}
