package paxos.impl.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *   if (core.hasReady()) { Ready r = core.ready(); persist; send; serve reads; apply; core.advance(r); }
 * </pre>
 *
 * The sketch handles one {@link Ready} at a time, the simplest way; {@link Ready} says which of its
 * records must be durable before which effect. A caller may also take further Readies before
 * advancing the earlier ones, to overlap their fsyncs (up to {@link #READIES_IN_FLIGHT_MAX}; see
 * {@link #ready()}): the production runtime's {@code GroupRunner} does.
 *
 * <p>The parts, each owned by this object and called only from it: {@link Acceptor} (promise and
 * accepted values), {@link Learner} (chosen values, peers' progress), {@code Proposer} (role,
 * ballots, elections, phase 1, the leader's window), {@code CatchUp} (asking peers for missing
 * chosen values, reads for peers) and {@code ProposalQueue} (proposals waiting for an instance or
 * a leader). This class routes inputs to them and collects their outputs in the {@link Ready}.
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
 * path; any node may still become leader when the current one goes silent. A node keeps its own
 * forwarded units until it sees them chosen ({@link Reforward}, bounded) and forwards them again
 * at once to a new leader (or proposes them itself) when the leader they went to is replaced; a
 * unit chosen twice that way executes once (execution deduplicates by request ID). A unit lost
 * otherwise (the same leader dropped it) is not retried; the caller's timeout reports it.
 *
 * <p><b>Learning.</b> The leader sends a commit per chosen instance to every member, with the
 * value only for non-voters (voters were sent the accept; one that lost it catches up).
 * Heartbeats, accepts and commits carry the sender's contiguous chosen position; a node behind it
 * asks one peer for the missing range, in several requests outstanding at once (bounded; see
 * {@code CatchUp}), each answered with at most {@link CoreConfig#replyEntriesMax()} values,
 * asking again until it caught up; the caller can hold new requests ({@link #holdCatchUp}).
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
    /**
     * Election timeouts after which a forwarded unit the same leader has not chosen is forwarded to
     * it once more ({@link Reforward}): long enough that a leader working through its queue rarely
     * gets the duplicate, short against a caller's timeout.
     */
    static final int RESEND_ELECTION_TIMEOUTS = 2;

    /** Most Readies the caller may hold un-advanced at once. */
    public static final int READIES_IN_FLIGHT_MAX = 64;

    /** Most catch-up requests a lagging node keeps outstanding (each answered by at most one reply). */
    public static final int CATCH_UP_REQUESTS_MAX = CatchUp.REQUESTS_MAX;
    /** Value bytes one catch-up request asks for, as estimated from the values seen. */
    public static final int CATCH_UP_REQUEST_BYTES = CatchUp.REQUEST_BYTES_TARGET;

    private final CoreConfig cfg;
    private final int self;
    private final List<Integer> voters = new ArrayList<>();
    private final List<Integer> others = new ArrayList<>();
    /**
     * This acceptor votes: this node is a voter of the membership in force or a pending one, and
     * every one of them that lists its ID lists this incarnation ({@link ConfigTracker#isSelf}): a
     * node whose disk was wiped never votes for the acceptor it was, whose promises it forgot.
     */
    private boolean selfVotes;
    /** Memberships by instance, followed along the chosen log; {@link #voters}/{@link #others} mirror it. */
    private final ConfigTracker tracker;
    /** The {@link ConfigTracker#fromVersion} {@link #voters}/{@link #others} mirror ({@code -1}: none yet). */
    private long refreshedAt = -1;
    private final Outbox out = new Outbox();
    private final Acceptor acceptor;
    private final Learner learner;
    private final ProposalQueue queue;
    private final Proposer proposer;
    private final CatchUp catchUp;
    private final Reforward reforward;
    private final ReadIndex reads;
    private final FollowerReads followerReads;
    /** The simulator's broken variant: reads are released without a confirmation round. */
    private boolean unconfirmedReads;
    /** The simulator's broken variant: a follower releases its reads without asking the leader. */
    private boolean followerReadsUnasked;
    /** The simulator's broken variant: the leader answers followers' reads without a confirmation round. */
    private boolean followerReadsUnconfirmed;

    private long now;
    /** Set by inputs that may let queued proposals go out; {@link #flushIfWanted} acts on it before a Ready. */
    private boolean flushWanted;
    /** Tick each peer was last heard from (any message of this group); bounded by the membership. */
    private final Map<Integer, Long> heardAt = new HashMap<>();
    /** Readies handed out and not yet advanced, oldest first (bounded by {@link #READIES_IN_FLIGHT_MAX}). */
    private final ArrayDeque<Ready> pending = new ArrayDeque<>();

    /**
     * Builds a core from persisted state (use {@link CoreState#EMPTY} for a new node).
     *
     * @param random the only source of randomness (election timeouts, back-off); seed it in tests
     */
    public GroupCore(CoreConfig cfg, CoreState state, RandomGenerator random) {
        this(cfg, state, random, ConfigTracker.bootstrap(cfg.membership(), state.applyFrom()));
    }

    /**
     * Builds a core from persisted state and the group's persisted membership history (see
     * {@link ConfigTracker}); {@code cfg.membership()} is then only the bootstrap.
     */
    public GroupCore(CoreConfig cfg, CoreState state, RandomGenerator random, ConfigTracker tracker) {
        this.cfg = cfg;
        this.self = cfg.selfNodeId();
        this.tracker = tracker;
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
        if (tracker.scan(learner.chosenUpTo(), this::chosenValue, cfg.batchCountMax())) persistMembership();
        refreshMembers();
        this.proposer = new Proposer(cfg, voters, others, random, acceptor, learner, tracker, new Proposer.Host() {
            @Override
            public long now() {
                return now;
            }

            @Override
            public void send(Message m) {
                GroupCore.this.send(m);
            }

            @Override
            public void learn(long instance, long ballot, byte[] value) {
                GroupCore.this.learn(instance, ballot, value);
            }
        });
        this.catchUp = new CatchUp(cfg, others, learner);
        // kept for many election timeouts: longer than any caller waits, so a unit is never re-forwarded
        // after its caller gave up (then it could only surprise); bounded by the queue's own bound
        this.reforward = new Reforward(self, cfg.queueMax(), 64L * cfg.electionTimeoutTicks(),
                RESEND_ELECTION_TIMEOUTS * cfg.electionTimeoutTicks(), cfg.batchCountMax());
        // A competing leader that could choose beyond a read's index needs promises from a quorum of
        // the membership in force there: the one in force now or a pending one, so confirm with both.
        this.reads = new ReadIndex(cfg.group(), self, acks -> tracker.quorumInAll(acks, learner.chosenUpTo() + 1, cfg.quorumRule()),
                cfg.queueMax(), 4L * cfg.electionTimeoutTicks());
        // an answer normally takes a few message delays, far below an election timeout; past it the
        // barrier is the better bet. Tags start at a random point: never reused across restarts.
        this.followerReads = new FollowerReads(cfg.queueMax(), cfg.electionTimeoutTicks(), random.nextLong() >>> 2);
    }

    /**
     * A read released by {@link #read}: {@code index} is the instance the caller must see
     * executed before it reads, or {@link #UNCONFIRMED}: this node could not confirm it (it lost
     * leadership, or no quorum answered in time); the caller falls back to a barrier.
     */
    public record ReadDone(long id, long index) {
        /** The {@code index} of a read this node could not confirm. */
        public static final long UNCONFIRMED = -2;

        public boolean confirmed() {
            return index != UNCONFIRMED;
        }
    }

    // ---------------------------------------------------------------- inputs

    /** Advances logical time by one tick: elections, heartbeats, retransmissions, batch delays. */
    public void tick() {
        now++;
        proposer.tick();
        maybeCatchUp();
        flushWanted = true;
        reads.expire(now);
        driveReads();
    }

    /**
     * Holds catch-up (no new request while {@code hold}; outstanding ones are still answered) or
     * releases it. The runtime holds it while execution or the disk lags, so that the values it asks for do
     * not pile up in memory; released, the next tick or step asks again.
     */
    public void holdCatchUp(boolean hold) {
        catchUp.hold(hold);
    }

    /** Handles one message addressed to this node and group. */
    public void step(Message m) {
        if (m.group() != cfg.group()) throw new IllegalArgumentException("message of group " + m.group() + " stepped into group " + cfg.group());
        // A sender this node does not know as a member may be one added by a change it has not
        // learned yet (it is behind): its commits and heartbeats are how it notices and catches up.
        // Votes are still taken only from voters (plausible); the transport admits only peers.
        if (m.to() != self) return;
        if (!plausible(m)) {
            // a voter removed by a change it never learned (no member sends it anything now) campaigns
            // for ever: tell it how far the log is, so that it catches up and learns it was removed
            if ((m instanceof Message.PreVote || m instanceof Message.Prepare) && !voters.contains(m.from())
                    && learner.isChosen(learner.chosenUpTo())) sendCommit(m.from(), learner.chosenUpTo());
            return;
        }
        if (others.contains(m.from())) heardAt.put(m.from(), now);
        dispatch(m);
        maybeCatchUp();
        flushWanted = true;
        driveReads();
    }

    /** Drops messages no correct peer sends (negative instances, votes from non-voters). */
    private boolean plausible(Message m) {
        if (m instanceof Message.Prepare p) return p.fromInstance() >= 0 && voters.contains(p.from());
        if (m instanceof Message.PreVote p) return voters.contains(p.from());
        if (m instanceof Message.PreVoteReply r) return voters.contains(r.from());
        if (m instanceof Message.Promise p) return p.fromInstance() >= 0;
        if (m instanceof Message.Accept a) return a.instance() >= 0 && voters.contains(a.from());
        if (m instanceof Message.Accepted a) return a.instance() >= 0 && voters.contains(a.from());
        if (m instanceof Message.Commit c) return c.instance() >= 0;
        if (m instanceof Message.ReadProbe p) return voters.contains(p.from());
        if (m instanceof Message.ReadProbeAck a) return voters.contains(a.from());
        if (m instanceof Message.ReadIndexRequest q) return others.contains(q.from());
        return true;
    }

    private void dispatch(Message m) {
        if (m instanceof Message.Prepare p) onPrepare(p);
        else if (m instanceof Message.Promise p) proposer.onPromise(p);
        else if (m instanceof Message.Accept a) onAccept(a);
        else if (m instanceof Message.Accepted a) proposer.onAccepted(a);
        else if (m instanceof Message.Reject r) proposer.onReject(r);
        else if (m instanceof Message.Commit c) onCommit(c);
        else if (m instanceof Message.Heartbeat h) onHeartbeat(h);
        else if (m instanceof Message.CatchUpRequest q) onCatchUpRequest(q);
        else if (m instanceof Message.CatchUpReply r) onCatchUpReply(r);
        else if (m instanceof Message.Forward f) onForward(f);
        else if (m instanceof Message.PreVote p) onPreVote(p);
        else if (m instanceof Message.PreVoteReply r) proposer.onPreVoteReply(r);
        else if (m instanceof Message.ReadProbe p) onReadProbe(p);
        else if (m instanceof Message.ReadProbeAck a) {
            if (proposer.role() == Role.LEADER && a.ballot() == proposer.ballot()) reads.ack(a.from(), a.ballot(), a.round());
        }
        else if (m instanceof Message.ReadIndexRequest q) onReadIndexRequest(q);
        else if (m instanceof Message.ReadIndexReply r) followerReads.answered(r.from(), r.tag(), r.index());
    }

    /**
     * A pre-vote for a ballot this node's acceptor already promised above is stale (the asker ran it
     * while another candidate's phase 1 went on, seed 5616): refused, and the promise is sent back
     * as a reject so that the asker's next round asks above it. Granting it let the asker start
     * phase 1 above the other candidate, get cut off, and depose the leader elected meanwhile on return.
     */
    private void onPreVote(Message.PreVote p) {
        boolean fresh = p.ballot() > acceptor.promised();
        send(new Message.PreVoteReply(cfg.group(), self, p.from(), p.ballot(), fresh && proposer.grantsPreVote(p.from())));
        if (!fresh) send(new Message.Reject(cfg.group(), self, p.from(), p.ballot(), acceptor.promised()));
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
        if (!isVoterNow())
            return new ProposeResult.Refused(ProposeResult.Reason.NOT_MEMBER, "node " + self + " is not a voter of group " + cfg.group());
        if (!tracker.selfVotesIn(tracker.latest(), self))
            return new ProposeResult.Refused(ProposeResult.Reason.NOT_MEMBER, "node " + self + " is no voter of group "
                    + cfg.group() + " from instance " + tracker.latestStart() + " on (a chosen membership change removes it)");
        ProposeResult r = queue.offer(commands, now);
        if (r == ProposeResult.QUEUED) flushWanted = true;
        return r;
    }

    /**
     * A LINEARIZABLE read (read-index): registers read {@code id} (the caller's, unique among its
     * waiting reads) and returns true; {@link #drainReads} later releases it. Returns false
     * (nothing registered) on a node that neither leads nor follows a known leader, or when too
     * many reads wait: the caller uses a no-op barrier instead.
     *
     * <p>On the leader its index is the highest instance known chosen here or found by this
     * leader's phase 1, so it covers every value chosen at this leader's ballot or a lower one; the
     * read is released once a quorum of voters answered a confirmation round started after this
     * call without having promised a higher ballot (see {@link ReadIndex}). On a follower the read
     * asks the leader, which takes the index the same way when the request arrives and answers once
     * its round confirmed it (see {@link FollowerReads}); a refusal, no answer within an election
     * timeout or a leader change release it unconfirmed.
     */
    public boolean read(long id) {
        Role role = proposer.role();
        int leader = proposer.leaderId();
        if (role == Role.LEADER) {
            long index = readIndex();
            if (unconfirmedReads) {
                reads.releaseNow(id, index);
                return true;
            }
            if (!reads.register(self, id, index, proposer.ballot(), now)) return false;
        } else if (role == Role.FOLLOWER && leader != 0 && leader != self) {
            if (followerReadsUnasked) {
                followerReads.releaseNow(id, learner.chosenUpTo());
                return true;
            }
            long tag = followerReads.ask(id, leader, now);
            if (tag < 0) return false;
            send(new Message.ReadIndexRequest(cfg.group(), self, leader, tag));
        } else {
            return false;
        }
        driveReads();
        return true;
    }

    /** The leader's read index: see {@link #read}. */
    private long readIndex() {
        return Math.max(learner.maxKnownChosen(), proposer.electedUpTo());
    }

    /**
     * A follower's read: registered like a local read, index taken now (after the follower's read
     * began), answered when released; refused at once on a non-leader or when too many wait.
     */
    private void onReadIndexRequest(Message.ReadIndexRequest q) {
        if (proposer.role() == Role.LEADER) {
            long index = readIndex();
            if (unconfirmedReads || followerReadsUnconfirmed) {
                send(new Message.ReadIndexReply(cfg.group(), self, q.from(), q.tag(), index));
                return;
            }
            if (reads.register(q.from(), q.tag(), index, proposer.ballot(), now)) return; // driveReads follows the step
        }
        send(new Message.ReadIndexReply(cfg.group(), self, q.from(), q.tag(), ReadDone.UNCONFIRMED));
    }

    /** Reads released since the last call, confirmed or not (see {@link ReadDone}). */
    public List<ReadDone> drainReads() {
        List<ReadDone> local = reads.drain();
        List<ReadDone> asked = followerReads.drain();
        if (asked.isEmpty()) return local;
        if (local.isEmpty()) return asked;
        List<ReadDone> all = new ArrayList<>(local);
        all.addAll(asked);
        return all;
    }

    /**
     * Makes this core release reads without a confirmation round: a broken build, for the
     * simulator's variant test only (a deposed leader then serves stale reads).
     */
    public void releaseReadsUnconfirmed() {
        unconfirmedReads = true;
    }

    /**
     * Makes this core, as a follower, release reads at once with its own chosen position, without
     * asking the leader: a broken build, for the simulator's variant test only (a follower behind
     * the leader then serves stale reads).
     */
    public void releaseFollowerReadsUnasked() {
        followerReadsUnasked = true;
    }

    /**
     * Makes this core, as leader, answer followers' reads at once with its index, without a
     * confirmation round (its own reads keep it): a broken build, for the simulator's variant test
     * only (a deposed leader then answers stale indexes).
     */
    public void answerFollowerReadsUnconfirmed() {
        followerReadsUnconfirmed = true;
    }

    /**
     * Fails the reads of a lost leadership (here and the followers' ones, answered unconfirmed),
     * starts a confirmation round when one is due, sends the answers to followers' reads; as a
     * follower, releases unconfirmed the reads asked of a leader it no longer follows or expired.
     */
    private void driveReads() {
        Role role = proposer.role();
        followerReads.check(role == Role.FOLLOWER && proposer.leaderId() != self ? proposer.leaderId() : 0, now);
        if (!reads.isEmpty()) {
            if (role != Role.LEADER || proposer.ballot() != reads.ballot()) {
                reads.failAll();
            } else {
                long round = reads.startRoundIfDue(now, cfg.retransmitTicks());
                if (round >= 0) proposer.sendReadProbes(round);
            }
        }
        for (Message.ReadIndexReply r : reads.drainAnswers()) send(r);
    }

    // ---------------------------------------------------------------- outputs

    /**
     * True if {@link #ready()} has work (and fewer than {@link #READIES_IN_FLIGHT_MAX} are
     * un-advanced). Proposals offered since the last Ready become instances first (see
     * {@link #flushIfWanted}), so this may fill the next Ready.
     */
    public boolean hasReady() {
        flushIfWanted();
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
        flushIfWanted();
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
        return proposer.role();
    }

    /** The leader this node last heard of (itself when leading), or {@code 0}. */
    public int leaderId() {
        return proposer.leaderId();
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
        return proposer.ballot();
    }

    /** Instances this leader proposed that are not yet chosen. */
    public int inFlightCount() {
        return proposer.inFlightCount();
    }

    /** Proposal units queued here. */
    public int queuedCount() {
        return queue.size();
    }

    /**
     * True if this node can plausibly reach a quorum of this group: as a follower it heard a
     * leader within an election timeout, or it heard (any message from) enough voters, itself
     * included, within one. Nodes not heard yet count as heard at tick 0, so a new core is
     * optimistic for its first election timeout. A pure query of the core's own traffic: a
     * leader of an idle group hears nothing back from its followers, so the runtime also asks
     * its transport's liveness before it refuses anything.
     */
    public boolean quorumReachable() {
        if (proposer.hearsLeader()) return true;
        // counted in place (the runtime asks after every pass of the loop): the voters of the
        // membership in force that are in voters and heard within a window, as ConfigTracker.quorumIn counts
        long window = cfg.electionTimeoutTicks();
        int inForce = 0;
        int heard = 0;
        for (Member x : membershipInForce().members()) {
            if (x.role() != MemberRole.VOTER) continue;
            inForce++;
            int v = x.nodeId();
            if (voters.contains(v) && (v == self || now - heardAt.getOrDefault(v, 0L) < window)) heard++;
        }
        return inForce > 0 && heard >= cfg.quorumRule().size(inForce);
    }

    // ---------------------------------------------------------------- membership

    /** The membership in force for this node's next instance (the first not known chosen). */
    public paxos.api.Membership membershipInForce() {
        return tracker.at(learner.chosenUpTo() + 1);
    }

    /** The latest decided membership: in force, or chosen and pending (in force from {@link #latestMembershipStart()}). */
    public paxos.api.Membership latestMembership() {
        return tracker.latest();
    }

    /**
     * The first instance the membership change chosen at {@code instance} is in force from, or
     * {@code -1} if it did not apply there (a no-op), as far as the kept history tells.
     */
    public long membershipStartOf(long instance) {
        for (Map.Entry<Long, paxos.api.Membership> e : tracker.history().entrySet())
            if (e.getKey() > 0 && e.getValue().configVersion() == instance) return e.getKey();
        return -1;
    }

    /**
     * A number that moves whenever {@link #membershipInForce()}, {@link #latestMembership()},
     * {@link #latestMembershipStart()} or {@link #catchUpPeers()} may have changed (it may also move
     * when none did): a caller publishing them after every pass compares it first.
     */
    public long membershipStamp() {
        tracker.from(learner.chosenUpTo() + 1);
        return tracker.fromVersion();
    }

    /** The first instance of {@link #latestMembership()}. */
    public long latestMembershipStart() {
        return tracker.latestStart();
    }

    /** How many changes this core decided; a caller persists {@link #membershipHistory()} when it moves. */
    public int membershipChanges() {
        return tracker.changes();
    }

    /** The membership history as persisted (see {@link ConfigTracker#encode}). */
    public byte[] membershipHistory() {
        return tracker.encode();
    }

    /**
     * The peers catch-up may ask: every other member of the membership in force for this node's
     * next instance and of a pending one (a copy). A node asks no one else for the log, so only
     * these count when it decides whether every peer that could serve the log deleted it.
     */
    public List<Integer> catchUpPeers() {
        return List.copyOf(others);
    }

    /** True if this node votes in the membership in force for its next instance (as this incarnation). */
    public boolean isVoterNow() {
        return tracker.selfVotesIn(membershipInForce(), self);
    }

    /** The history goes into the Ready that records the change chosen (synced before it executes: see {@link Durability}). */
    private void persistMembership() {
        out.persist.add(new paxos.api.spi.log.LogRecord.Meta(cfg.group(), ConfigTracker.META_KEY, tracker.encode()));
    }

    private byte[] chosenValue(long instance) {
        Learner.Chosen c = learner.chosen(instance);
        return c == null ? null : c.value();
    }

    /**
     * Mirrors the tracker into {@link #voters} (every voter of the membership in force and of a
     * pending one) and {@link #others} (every other member of those), in place: the proposer and
     * catch-up hold the same lists.
     */
    private void refreshMembers() {
        List<paxos.api.Membership> from = tracker.from(learner.chosenUpTo() + 1);
        // the same list as last time: nothing to mirror (the common case: runs on every instance learned)
        if (tracker.fromVersion() == refreshedAt) return;
        refreshedAt = tracker.fromVersion();
        java.util.TreeSet<Integer> v = new java.util.TreeSet<>();
        java.util.TreeSet<Integer> o = new java.util.TreeSet<>();
        for (paxos.api.Membership m : from) {
            for (Member x : m.members()) {
                if (x.role() == MemberRole.VOTER) v.add(x.nodeId());
                if (x.nodeId() != self) o.add(x.nodeId());
            }
        }
        boolean me = v.contains(self);
        for (paxos.api.Membership m : from) {
            for (Member x : m.members()) if (x.nodeId() == self && !tracker.isSelf(x)) me = false;
        }
        selfVotes = me;
        if (!v.equals(new java.util.TreeSet<>(voters))) {
            voters.clear();
            voters.addAll(v);
        }
        if (!o.equals(new java.util.TreeSet<>(others))) {
            others.clear();
            others.addAll(o);
            heardAt.keySet().retainAll(o);
        }
    }

    public CoreConfig config() {
        return cfg;
    }

    // ---------------------------------------------------------------- acceptor side

    private void onPrepare(Message.Prepare p) {
        // votes only once it learned the change that made it a voter (a joining node waits silently)
        if (!selfVotes) {
            // but a candidate behind it (the only voter left may be one) learns that it is and catches up,
            // and one ahead of it (it never promised here, so it asks from its first instance not known
            // chosen) makes this node catch up: it may be a voter of the instances it lacks
            if (learner.isChosen(p.fromInstance())) sendCommit(p.from(), p.fromInstance());
            else learner.notePeer(p.from(), p.fromInstance() - 1);
            return;
        }
        if (!acceptor.promise(p.ballot())) {
            send(new Message.Reject(cfg.group(), self, p.from(), p.ballot(), acceptor.promised()));
            return;
        }
        proposer.observe(p.ballot());
        if (p.from() != self) proposer.forgetLeader();
        List<Message.Entry> entries = new ArrayList<>();
        boolean more = acceptor.promiseEntries(p.fromInstance(), learner.chosenFrom(p.fromInstance()),
                cfg.replyEntriesMax(), cfg.replyBytesMax(), entries);
        send(new Message.Promise(cfg.group(), self, p.from(), p.ballot(), p.fromInstance(), learner.chosenUpTo(), entries, more));
    }

    private void onAccept(Message.Accept a) {
        if (!selfVotes && !learner.isChosen(a.instance())) return;
        if (learner.isChosen(a.instance())) {
            sendCommit(a.from(), a.instance());
            return;
        }
        if (!acceptor.accept(a.ballot(), a.instance(), a.value())) {
            send(new Message.Reject(cfg.group(), self, a.from(), a.ballot(), acceptor.promised()));
            return;
        }
        proposer.observe(a.ballot());
        proposer.hearLeader(a.from());
        learner.notePeer(a.from(), a.chosenUpTo());
        send(new Message.Accepted(cfg.group(), self, a.from(), a.ballot(), a.instance()));
    }

    /** Tells {@code to} that {@code instance} is chosen (with the value if still held) and how far this node knows. */
    private void sendCommit(int to, long instance) {
        Learner.Chosen c = learner.chosen(instance);
        send(new Message.Commit(cfg.group(), self, to, instance, c == null ? Ballot.NONE : c.ballot(),
                c == null ? null : c.value(), learner.chosenUpTo()));
    }

    private void onHeartbeat(Message.Heartbeat h) {
        if (rejectedBelowPromise(h.from(), h.ballot())) return;
        proposer.observe(h.ballot());
        if (proposer.role() == Role.FOLLOWER) proposer.hearLeader(h.from());
        learner.notePeer(h.from(), h.chosenUpTo());
    }

    private void onReadProbe(Message.ReadProbe p) {
        if (rejectedBelowPromise(p.from(), p.ballot())) return;
        proposer.observe(p.ballot());
        if (proposer.role() == Role.FOLLOWER) proposer.hearLeader(p.from());
        send(new Message.ReadProbeAck(cfg.group(), self, p.from(), p.ballot(), p.round()));
    }

    /** Sends a reject if {@code ballot} is below this acceptor's promise; true if it did. */
    private boolean rejectedBelowPromise(int from, long ballot) {
        if (ballot >= acceptor.promised()) return false;
        send(new Message.Reject(cfg.group(), self, from, ballot, acceptor.promised()));
        return true;
    }

    // ---------------------------------------------------------------- learner side

    private void learn(long instance, long b, byte[] value) {
        long before = learner.chosenUpTo();
        if (!learner.learn(instance, b, value)) return;
        reforward.chosen(value);
        acceptor.forget(instance);
        if (learner.chosenUpTo() > before) {
            // the membership of later instances may just have become known, or come into force
            if (tracker.scan(learner.chosenUpTo(), this::chosenValue, cfg.batchCountMax())) persistMembership();
            refreshMembers();
        }
        proposer.learned(instance, b);
    }

    private void onCommit(Message.Commit c) {
        proposer.observe(c.ballot());
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
        for (Message.CatchUpRequest q : catchUp.requests(now)) send(q);
    }

    private void onCatchUpRequest(Message.CatchUpRequest q) {
        CatchUpRead read = catchUp.read(q);
        if (read != null) out.reads.add(read);
    }

    private void onCatchUpReply(Message.CatchUpReply r) {
        for (Message.Entry e : r.entries()) {
            if (e.chosen()) learn(e.instance(), e.ballot(), e.value());
        }
        learner.notePeer(r.from(), r.chosenUpTo());
        // the request it answers is done: the next ones go at once; an empty reply leaves the retry timer running
        catchUp.replied(r);
    }

    // ---------------------------------------------------------------- proposals

    private void onForward(Message.Forward f) {
        for (List<BatchCommand> unit : f.units()) queue.offerForwarded(unit, f.hops(), now);
    }

    /**
     * Proposals queued by {@link #propose}, and the room that steps and ticks open in the window,
     * turn into instances here, when the caller asks for the next Ready, not at each input: every
     * proposal offered since the last Ready shares the next batch (up to the batch bounds), so a
     * caller that steps several inputs before taking a Ready gets fewer, fuller instances. The
     * decision is the same function of the queue and the window as before, taken later.
     */
    private void flushIfWanted() {
        if (!flushWanted) return;
        flushWanted = false;
        flushQueue();
    }

    /** Leader: cuts batches into free window slots. Others: forward to the known leader. */
    private void flushQueue() {
        requeueAbandoned();
        Role role = proposer.role();
        int leaderId = proposer.leaderId();
        if (role == Role.LEADER || (role == Role.FOLLOWER && leaderId != 0 && leaderId != self)) {
            List<ProposalQueue.Unit> again = reforward.takeForNewLeader(role == Role.LEADER ? self : leaderId, now);
            for (int i = again.size() - 1; i >= 0; i--) queue.requeue(again.get(i)); // oldest ends up first
        }
        if (queue.isEmpty()) return;
        if (role == Role.LEADER) {
            proposer.proposeBatches(queue);
        } else if (role == Role.FOLLOWER && leaderId != 0 && leaderId != self) {
            while (!queue.isEmpty()) {
                List<ProposalQueue.Unit> units = queue.takeForForward(cfg.batchBytesMax());
                List<List<BatchCommand>> keep = new ArrayList<>();
                int hops = 0;
                for (ProposalQueue.Unit u : units) {
                    if (u.hops() >= FORWARD_HOPS_MAX) continue;
                    keep.add(u.commands());
                    reforward.forwarded(u, leaderId, now);
                    hops = Math.max(hops, u.hops() + 1);
                }
                if (!keep.isEmpty()) send(new Message.Forward(cfg.group(), self, leaderId, keep, hops));
            }
        }
    }

    /**
     * This node's own commands in the batches it proposed as leader and dropped unchosen when a
     * higher ballot deposed it go back to the head of the queue (one unit per batch: they shared an
     * instance, so they fit one), to be forwarded to the new leader. They may have been chosen all
     * the same (accepted by a quorum before the cut): execution skips a request ID it executed
     * already, as for {@link Reforward}. Other nodes' commands are theirs to forward again
     * ({@link Reforward} does when they hear of the new leader). A full queue drops them: their
     * callers' timeouts report the unknown outcome, as before.
     */
    private void requeueAbandoned() {
        List<byte[]> values = proposer.takeAbandoned();
        for (int i = values.size() - 1; i >= 0; i--) { // oldest ends up first
            List<BatchCommand> mine = new ArrayList<>();
            for (BatchCommand c : BatchCodec.decode(values.get(i), cfg.batchCountMax())) if (c.proposerNode() == self) mine.add(c);
            if (!mine.isEmpty()) queue.requeue(new ProposalQueue.Unit(List.copyOf(mine), BatchCodec.encodedBytes(mine), 0, now));
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Queues a message; one addressed to this node is handled at once (it is never on the wire),
     * except this node's own vote (an {@link Message.Accepted} to itself): it goes into the Ready
     * like any message and the caller steps it back in once the Ready's records are durable.
     */
    private void send(Message m) {
        if (m.to() == self && !(m instanceof Message.Accepted)) dispatch(m);
        else out.messages.add(m);
    }
}
