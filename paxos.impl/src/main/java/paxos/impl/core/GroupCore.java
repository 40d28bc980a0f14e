package paxos.impl.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.spi.log.InstanceRecord;

/**
 * The Multi-Paxos state of one group on one node: acceptor, proposer and learner in one
 * single-threaded, I/O-free object (etcd-raft style). It never sends, writes, sleeps or reads a
 * clock; the caller drives it and carries out what it returns:
 *
 * <pre>
 *   core.tick();                 // every tick (the runtime's timer)
 *   core.step(message);          // every message received for this group
 *   core.propose(commands);      // a caller's proposal unit
 *   if (core.hasReady()) { Ready r = core.ready(); persist+sync; send; serve reads; apply; core.advance(r); }
 * </pre>
 *
 * <p><b>Threads.</b> Not thread-safe: one thread (the group's event loop) calls every method.
 * Many groups are many independent cores; nothing is static.
 *
 * <p><b>Protocol.</b> Classic multi-instance Paxos with a group-wide promise. A voter that hears
 * no leader for a randomized election timeout runs phase 1 once for every instance from its first
 * not-known-chosen one; acceptors report their accepts of those instances (bounded replies; the
 * proposer asks again when a reply was truncated). The new leader re-proposes, at its ballot, the
 * highest-ballot value of every reported instance, no-ops in the gaps, then new batches, skipping
 * phase 1 for as long as nobody interferes (the fast path). A reject carrying a higher promise,
 * a higher prepare, heartbeat or commit makes it step down and back off for a random time.
 * Up to {@link CoreConfig#windowMax()} instances are in flight; execution is still in instance
 * order ({@link Ready#toApply}).
 *
 * <p><b>Proposals on non-leaders are forwarded</b> to the leader the node last heard of (queued
 * while none is known). Why: one proposer per group avoids duelling ballots and keeps the fast
 * path; any node may still become leader when the current one goes silent. A forwarded proposal
 * that is lost is not retried (a retry could execute it twice); the caller's timeout reports the
 * unknown outcome.
 *
 * <p><b>Learning.</b> The leader sends a commit per chosen instance to every member, with the
 * value only for non-voters (voters were sent the accept; one that lost it catches up).
 * Heartbeats, accepts and commits carry the sender's contiguous chosen position; a node behind it
 * asks one peer for the missing range and receives at most {@link CoreConfig#replyEntriesMax()}
 * values per reply, asking again until it caught up.
 *
 * <p><b>Failures.</b> Bad input from peers (wrong receiver, non-member sender) is dropped;
 * calling methods out of contract throws {@link IllegalStateException} or
 * {@link IllegalArgumentException}.
 */
public final class GroupCore {
    /** The node's role in this group. */
    public enum Role { FOLLOWER, CANDIDATE, LEADER }

    /** Most times a forwarded proposal is passed on again before it is dropped. */
    static final int FORWARD_HOPS_MAX = 2;

    private final CoreConfig cfg;
    private final int self;
    private final RandomGenerator random;
    private final List<Integer> voters = new ArrayList<>();
    private final List<Integer> others = new ArrayList<>();
    private final boolean selfVoter;
    private final Outbox out = new Outbox();
    private final Acceptor acceptor;
    private final Learner learner;
    private final ProposalQueue queue;

    private long now;
    private Role role = Role.FOLLOWER;
    private long ballot = Ballot.NONE;
    private long highestSeen;
    private int leaderId;
    private long electionElapsed;
    private long electionTimeout;
    private long heartbeatElapsed;
    private PhaseOne phaseOne;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    private long nextInstance;
    private long catchUpSentAt = Long.MIN_VALUE;
    private int catchUpRotation;
    /** Readies handed out and not yet advanced, oldest first (bounded by {@link #READIES_IN_FLIGHT_MAX}). */
    private final java.util.ArrayDeque<Ready> pending = new java.util.ArrayDeque<>();

    /** Most Readies the caller may hold un-advanced at once. */
    public static final int READIES_IN_FLIGHT_MAX = 64;

    /** A value this leader proposed and that is not yet chosen. */
    private static final class InFlight {
        final byte[] value;
        final Set<Integer> acks = new HashSet<>();
        long sentAt;

        InFlight(byte[] value, long sentAt) {
            this.value = value;
            this.sentAt = sentAt;
        }
    }

    /**
     * Builds a core from persisted state (use {@link CoreState#EMPTY} for a new node).
     *
     * @param random the only source of randomness (election timeouts, back-off); seed it in tests
     */
    public GroupCore(CoreConfig cfg, CoreState state, RandomGenerator random) {
        this.cfg = cfg;
        this.self = cfg.selfNodeId();
        this.random = random;
        for (Member m : cfg.membership().members()) {
            if (m.role() == MemberRole.VOTER) voters.add(m.nodeId());
            if (m.nodeId() != self) others.add(m.nodeId());
        }
        this.selfVoter = voters.contains(self);
        this.acceptor = new Acceptor(cfg.group(), state.promisedBallot(), out);
        this.learner = new Learner(cfg.group(), state.applyFrom(), out);
        this.queue = new ProposalQueue(cfg);
        for (InstanceRecord r : state.records()) {
            if (r.group() != cfg.group()) throw new IllegalArgumentException("record of group " + r.group() + " given to group " + cfg.group());
            if (r.instance() < state.applyFrom()) continue;
            if (r.chosen()) learner.restore(r.instance(), r.ballot(), r.value());
            else acceptor.restore(r.instance(), r.ballot(), r.value());
        }
        for (InstanceRecord r : state.records()) {
            if (learner.isChosen(r.instance())) acceptor.forget(r.instance());
        }
        this.highestSeen = acceptor.promised();
        this.nextInstance = learner.maxKnownChosen() + 1;
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** Advances logical time by one tick: elections, heartbeats, retransmissions, batch delays. */
    public void tick() {
        now++;
        switch (role) {
            case FOLLOWER -> {
                if (selfVoter && ++electionElapsed >= electionTimeout) startPhaseOne();
            }
            case CANDIDATE -> tickCandidate();
            case LEADER -> tickLeader();
        }
        maybeCatchUp();
        flushQueue();
    }

    /** Handles one message addressed to this node and group. */
    public void step(Message m) {
        if (m.group() != cfg.group()) throw new IllegalArgumentException("message of group " + m.group() + " stepped into group " + cfg.group());
        if (m.to() != self || (m.from() != self && !others.contains(m.from())) || !plausible(m)) return;
        dispatch(m);
        maybeCatchUp();
        flushQueue();
    }

    /** Drops messages no correct peer sends (negative instances, votes from non-voters). */
    private boolean plausible(Message m) {
        if (m instanceof Message.Prepare p) return p.fromInstance() >= 0 && voters.contains(p.from());
        if (m instanceof Message.Promise p) return p.fromInstance() >= 0;
        if (m instanceof Message.Accept a) return a.instance() >= 0 && voters.contains(a.from());
        if (m instanceof Message.Accepted a) return a.instance() >= 0 && voters.contains(a.from());
        if (m instanceof Message.Commit c) return c.instance() >= 0;
        return true;
    }

    private void dispatch(Message m) {
        if (m instanceof Message.Prepare p) onPrepare(p);
        else if (m instanceof Message.Promise p) onPromise(p);
        else if (m instanceof Message.Accept a) onAccept(a);
        else if (m instanceof Message.Accepted a) onAccepted(a);
        else if (m instanceof Message.Reject r) onReject(r);
        else if (m instanceof Message.Commit c) onCommit(c);
        else if (m instanceof Message.Heartbeat h) onHeartbeat(h);
        else if (m instanceof Message.CatchUpRequest q) onCatchUpRequest(q);
        else if (m instanceof Message.CatchUpReply r) onCatchUpReply(r);
        else if (m instanceof Message.Forward f) onForward(f);
    }

    /**
     * Queues one proposal unit: commands that must share one instance, in order. Each command's
     * {@code proposerNode} must be this node; its request ID identifies it when executed.
     *
     * @return {@link ProposeResult#QUEUED}, or a refusal naming the limit (nothing queued)
     */
    public ProposeResult propose(List<BatchCommand> commands) {
        for (BatchCommand c : commands) {
            if (c.proposerNode() != self) throw new IllegalArgumentException("proposerNode " + c.proposerNode() + " is not this node " + self);
        }
        if (!selfVoter)
            return new ProposeResult.Refused(ProposeResult.Reason.NOT_MEMBER, "node " + self + " is not a voter of group " + cfg.group());
        ProposeResult r = queue.offer(commands, now);
        if (r == ProposeResult.QUEUED) flushQueue();
        return r;
    }

    // ---------------------------------------------------------------- outputs

    /** True if {@link #ready()} has work (and fewer than {@link #READIES_IN_FLIGHT_MAX} are un-advanced). */
    public boolean hasReady() {
        return pending.size() < READIES_IN_FLIGHT_MAX && (!out.isEmpty() || learner.hasApply());
    }

    /**
     * Takes everything to persist, send and apply since the last Ready; see {@link Ready} for the
     * order the caller must follow. The caller may take further Readies before advancing earlier
     * ones (to overlap their fsyncs), provided it appends them in order and completes and advances
     * them strictly in order.
     *
     * @throws IllegalStateException if {@link #READIES_IN_FLIGHT_MAX} Readies are un-advanced
     */
    public Ready ready() {
        if (pending.size() >= READIES_IN_FLIGHT_MAX)
            throw new IllegalStateException(READIES_IN_FLIGHT_MAX + " Readies are not yet advanced");
        Ready r = new Ready(out.persist, out.messages, out.reads, learner.drainApply(cfg.applyEntriesMax()));
        out.clear();
        pending.addLast(r);
        return r;
    }

    /**
     * Confirms the caller persisted, sent and applied {@code ready}.
     *
     * @throws IllegalStateException if {@code ready} is not the oldest un-advanced Ready
     */
    public void advance(Ready ready) {
        if (pending.peekFirst() != ready) throw new IllegalStateException("advance() must get the oldest Ready not yet advanced");
        pending.removeFirst();
    }

    // ---------------------------------------------------------------- status

    public Role role() {
        return role;
    }

    /** The leader this node last heard of (itself when leading), or {@code 0}. */
    public int leaderId() {
        return leaderId;
    }

    /** Every instance up to it is known chosen here; {@code -1} if none. */
    public long chosenUpTo() {
        return learner.chosenUpTo();
    }

    /** The last instance handed out in {@link Ready#toApply}. */
    public long appliedUpTo() {
        return learner.appliedUpTo();
    }

    public long promisedBallot() {
        return acceptor.promised();
    }

    /** This node's ballot as candidate or leader ({@link Ballot#NONE} if it never ran). */
    public long ballot() {
        return ballot;
    }

    /** Instances this leader proposed that are not yet chosen. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** Proposal units queued here. */
    public int queuedCount() {
        return queue.size();
    }

    public CoreConfig config() {
        return cfg;
    }

    // ---------------------------------------------------------------- acceptor side

    private void onPrepare(Message.Prepare p) {
        if (!acceptor.promise(p.ballot())) {
            send(new Message.Reject(cfg.group(), self, p.from(), p.ballot(), acceptor.promised()));
            return;
        }
        seeBallot(p.ballot());
        if (role != Role.FOLLOWER && p.ballot() > ballot) stepDown(p.ballot());
        if (p.from() != self) {
            leaderId = 0;
            electionElapsed = 0;
        }
        List<Message.Entry> entries = new ArrayList<>();
        boolean more = collectEntries(p.fromInstance(), entries);
        send(new Message.Promise(cfg.group(), self, p.from(), p.ballot(), p.fromInstance(), learner.chosenUpTo(), entries, more));
    }

    /** Accepted and known-chosen values of instances {@code >= from}, bounded; true if truncated. */
    private boolean collectEntries(long from, List<Message.Entry> entries) {
        TreeMap<Long, Message.Entry> all = new TreeMap<>();
        for (Map.Entry<Long, Acceptor.Accepted> e : acceptor.acceptedFrom(from).entrySet())
            all.put(e.getKey(), new Message.Entry(e.getKey(), e.getValue().ballot(), e.getValue().value(), false));
        for (Map.Entry<Long, Learner.Chosen> e : learner.chosenFrom(from).entrySet())
            all.put(e.getKey(), new Message.Entry(e.getKey(), e.getValue().ballot(), e.getValue().value(), true));
        long bytes = 0;
        for (Message.Entry e : all.values()) {
            if (entries.size() >= cfg.replyEntriesMax() || (!entries.isEmpty() && bytes + e.value().length > cfg.replyBytesMax()))
                return true;
            entries.add(e);
            bytes += e.value().length;
        }
        return false;
    }

    private void onAccept(Message.Accept a) {
        if (learner.isChosen(a.instance())) {
            Learner.Chosen c = learner.chosen(a.instance());
            send(new Message.Commit(cfg.group(), self, a.from(), a.instance(), c == null ? Ballot.NONE : c.ballot(),
                    c == null ? null : c.value(), learner.chosenUpTo()));
            return;
        }
        if (!acceptor.accept(a.ballot(), a.instance(), a.value())) {
            send(new Message.Reject(cfg.group(), self, a.from(), a.ballot(), acceptor.promised()));
            return;
        }
        seeBallot(a.ballot());
        if (role != Role.FOLLOWER && a.ballot() > ballot) stepDown(a.ballot());
        hearLeader(a.from());
        learner.notePeer(a.from(), a.chosenUpTo());
        send(new Message.Accepted(cfg.group(), self, a.from(), a.ballot(), a.instance()));
    }

    // ---------------------------------------------------------------- proposer side

    private void startPhaseOne() {
        ballot = Ballot.nextAbove(Math.max(highestSeen, acceptor.promised()), self);
        highestSeen = ballot;
        role = Role.CANDIDATE;
        leaderId = 0;
        inFlight.clear();
        resetElectionTimer();
        long from = learner.chosenUpTo() + 1;
        long b = ballot;
        phaseOne = new PhaseOne(b, from, voters, now);
        // The self-promise is handled at once and may finish phase 1 (quorum of one): use locals.
        for (int v : voters) send(new Message.Prepare(cfg.group(), self, v, b, from));
    }

    private void tickCandidate() {
        if (now - phaseOne.lastSentAt >= cfg.retransmitTicks()) {
            phaseOne.lastSentAt = now;
            for (int v : voters) {
                long from = phaseOne.expectedFrom(v);
                if (from >= 0 && v != self) send(new Message.Prepare(cfg.group(), self, v, ballot, from));
            }
        }
        // A phase 1 that cannot finish (no quorum reachable) starts over with a fresh ballot.
        if (++electionElapsed >= 4 * electionTimeout) startPhaseOne();
    }

    private void onPromise(Message.Promise p) {
        if (role != Role.CANDIDATE || p.ballot() != ballot) return;
        PhaseOne one = phaseOne;
        if (p.chosenUpTo() >= one.from) {
            // The acceptor knows chosen values this node lacks (and may have let go of their bytes):
            // catch up first, let an up-to-date node lead meanwhile.
            learner.notePeer(p.from(), p.chosenUpTo());
            stepDown(ballot);
            return;
        }
        for (Message.Entry e : p.entries()) {
            if (e.chosen()) learn(e.instance(), e.ballot(), e.value());
        }
        if (role != Role.CANDIDATE) return;
        long again = one.take(p);
        if (again >= 0) send(new Message.Prepare(cfg.group(), self, p.from(), ballot, again));
        else if (one.completeCount() >= cfg.quorum() && role == Role.CANDIDATE) becomeLeader();
    }

    private void becomeLeader() {
        PhaseOne one = phaseOne;
        phaseOne = null;
        role = Role.LEADER;
        leaderId = self;
        long last = Math.max(one.maxInstance(), learner.maxKnownChosen());
        nextInstance = Math.max(one.from, learner.chosenUpTo() + 1);
        for (long i = one.from; i <= last && role == Role.LEADER; i++) {
            if (learner.isChosen(i)) continue;
            Message.Entry e = one.adopted(i);
            proposeAt(i, e == null ? BatchCodec.noOp() : e.value());
        }
        nextInstance = Math.max(nextInstance, last + 1);
        if (role == Role.LEADER) broadcastHeartbeat();
    }

    private void tickLeader() {
        if (++heartbeatElapsed >= cfg.heartbeatTicks()) broadcastHeartbeat();
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            InFlight f = e.getValue();
            if (now - f.sentAt < cfg.retransmitTicks()) continue;
            f.sentAt = now;
            for (int v : voters) {
                if (!f.acks.contains(v)) send(new Message.Accept(cfg.group(), self, v, ballot, e.getKey(), f.value, learner.chosenUpTo()));
            }
        }
    }

    private void broadcastHeartbeat() {
        heartbeatElapsed = 0;
        for (int m : others) send(new Message.Heartbeat(cfg.group(), self, m, ballot, learner.chosenUpTo()));
    }

    private void proposeAt(long instance, byte[] value) {
        InFlight f = new InFlight(value, now);
        if (!acceptor.accept(ballot, instance, value)) {
            stepDown(acceptor.promised());
            return;
        }
        inFlight.put(instance, f);
        f.acks.add(self);
        for (int v : voters) {
            if (v != self) send(new Message.Accept(cfg.group(), self, v, ballot, instance, value, learner.chosenUpTo()));
        }
        nextInstance = Math.max(nextInstance, instance + 1);
        checkChosen(instance, f);
    }

    private void onAccepted(Message.Accepted a) {
        if (role != Role.LEADER || a.ballot() != ballot) return;
        InFlight f = inFlight.get(a.instance());
        if (f == null) return;
        f.acks.add(a.from());
        checkChosen(a.instance(), f);
    }

    private void checkChosen(long instance, InFlight f) {
        if (f.acks.size() < cfg.quorum()) return;
        inFlight.remove(instance);
        learn(instance, ballot, f.value);
        for (int m : others) {
            // Voters were sent the Accept: a voter whose copy was lost notices the gap through the
            // commit's chosenUpTo and catches up by range. Sending the bytes to every voter that has
            // not answered yet would send most values twice to the slowest follower.
            byte[] value = voters.contains(m) ? null : f.value;
            send(new Message.Commit(cfg.group(), self, m, instance, ballot, value, learner.chosenUpTo()));
        }
    }

    private void onReject(Message.Reject r) {
        seeBallot(r.promised());
        if (role != Role.FOLLOWER && r.ballot() == ballot && r.promised() > ballot) stepDown(r.promised());
    }

    /** Gives up proposing (someone with a higher ballot is active) and backs off randomly. */
    private void stepDown(long higher) {
        seeBallot(higher);
        role = Role.FOLLOWER;
        phaseOne = null;
        inFlight.clear();
        if (leaderId == self) leaderId = 0;
        resetElectionTimer();
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        electionTimeout = cfg.electionTimeoutTicks() + random.nextInt(cfg.electionTimeoutTicks());
    }

    private void seeBallot(long b) {
        highestSeen = Math.max(highestSeen, b);
    }

    private void hearLeader(int node) {
        if (node == self) return;
        leaderId = node;
        electionElapsed = 0;
    }

    private void onHeartbeat(Message.Heartbeat h) {
        if (h.ballot() < acceptor.promised()) {
            send(new Message.Reject(cfg.group(), self, h.from(), h.ballot(), acceptor.promised()));
            return;
        }
        seeBallot(h.ballot());
        if (role != Role.FOLLOWER && h.ballot() > ballot) stepDown(h.ballot());
        if (role == Role.FOLLOWER) hearLeader(h.from());
        learner.notePeer(h.from(), h.chosenUpTo());
    }

    // ---------------------------------------------------------------- learner side

    private void learn(long instance, long b, byte[] value) {
        if (!learner.learn(instance, b, value)) return;
        acceptor.forget(instance);
        InFlight f = inFlight.remove(instance);
        if (f != null && b > ballot && role == Role.LEADER) stepDown(b);
    }

    private void onCommit(Message.Commit c) {
        seeBallot(c.ballot());
        if (role != Role.FOLLOWER && c.ballot() > ballot) stepDown(c.ballot());
        learner.notePeer(c.from(), c.chosenUpTo());
        if (learner.isChosen(c.instance())) return;
        byte[] value = c.value();
        if (value == null && c.ballot() != Ballot.NONE) {
            Acceptor.Accepted mine = acceptor.accepted(c.instance());
            if (mine != null && mine.ballot() == c.ballot()) value = mine.value();
        }
        if (value != null) learn(c.instance(), c.ballot(), value);
        else learner.notePeer(c.from(), Math.max(c.chosenUpTo(), 0));
    }

    private void maybeCatchUp() {
        if (!learner.behind() || others.isEmpty()) {
            catchUpSentAt = Long.MIN_VALUE;
            return;
        }
        boolean retry = catchUpSentAt != Long.MIN_VALUE;
        if (retry && now - catchUpSentAt < cfg.retransmitTicks()) return;
        int target = learner.aheadNode();
        if (retry || target == 0 || target == self) target = others.get(Math.floorMod(catchUpRotation++, others.size()));
        long from = learner.chosenUpTo() + 1;
        long to = Math.min(learner.peerChosenUpTo() + 1, from + cfg.replyEntriesMax());
        catchUpSentAt = now;
        send(new Message.CatchUpRequest(cfg.group(), self, target, from, to));
    }

    private void onCatchUpRequest(Message.CatchUpRequest q) {
        long to = Math.min(q.toInstance(), q.fromInstance() + cfg.replyEntriesMax());
        if (to <= q.fromInstance() || q.fromInstance() < 0) return;
        out.reads.add(new CatchUpRead(cfg.group(), self, q.from(), q.fromInstance(), to, cfg.replyEntriesMax(),
                cfg.replyBytesMax(), learner.chosenUpTo()));
    }

    private void onCatchUpReply(Message.CatchUpReply r) {
        long before = learner.chosenUpTo();
        for (Message.Entry e : r.entries()) {
            if (e.chosen()) learn(e.instance(), e.ballot(), e.value());
        }
        learner.notePeer(r.from(), r.chosenUpTo());
        // Progress: ask for the next range at once; none: let the retry timer pick another peer.
        if (learner.chosenUpTo() > before) catchUpSentAt = Long.MIN_VALUE;
    }

    // ---------------------------------------------------------------- proposals

    private void onForward(Message.Forward f) {
        for (List<BatchCommand> unit : f.units()) queue.offerForwarded(unit, f.hops(), now);
    }

    /** Leader: cuts batches into free window slots. Others: forward to the known leader. */
    private void flushQueue() {
        if (queue.isEmpty()) return;
        if (role == Role.LEADER) {
            while (queue.batchDue(now) && nextInstance - learner.chosenUpTo() - 1 < cfg.windowMax() && role == Role.LEADER) {
                long instance = Math.max(nextInstance, learner.maxKnownChosen() + 1);
                proposeAt(instance, BatchCodec.encode(queue.takeBatch()));
            }
        } else if (role == Role.FOLLOWER && leaderId != 0 && leaderId != self) {
            while (!queue.isEmpty()) {
                List<ProposalQueue.Unit> units = queue.takeForForward(cfg.batchBytesMax());
                List<List<BatchCommand>> keep = new ArrayList<>();
                int hops = 0;
                for (ProposalQueue.Unit u : units) {
                    if (u.hops() >= FORWARD_HOPS_MAX) continue;
                    keep.add(u.commands());
                    hops = Math.max(hops, u.hops() + 1);
                }
                if (!keep.isEmpty()) send(new Message.Forward(cfg.group(), self, leaderId, keep, hops));
            }
        }
    }

    // ---------------------------------------------------------------- sending

    /** Queues a message; one addressed to this node is handled at once (it is never on the wire). */
    private void send(Message m) {
        if (m.to() == self) dispatch(m);
        else out.messages.add(m);
    }
}
