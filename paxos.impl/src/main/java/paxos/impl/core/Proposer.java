package paxos.impl.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The proposer side of one group's core: the node's role, its ballots, the election timer, phase 1,
 * and as leader the window of instances it proposed and that are not yet chosen. Owned by one
 * {@link GroupCore} and called only from it, on its thread; pure like the core (no I/O, no clock:
 * time is the core's tick count, read through {@link Host#now()}).
 *
 * <p>Every message goes out through {@link Host#send}, which handles a message addressed to this
 * node at once (re-entering the core, and possibly this object): callers of {@code send} here
 * must not rely on fields staying as they were across the call (see {@link #startPhaseOne}).
 */
final class Proposer {
    /** What the proposer needs from the core that owns it. */
    interface Host {
        /** The core's logical time in ticks. */
        long now();

        /** Queues {@code m}, or handles it at once if it is addressed to this node. */
        void send(Message m);

        /** Records a chosen value (persisted, forgotten by the acceptor); may call {@link #learned}. */
        void learn(long instance, long ballot, byte[] value);
    }

    /** A value this leader proposed and that is not yet chosen. */
    private static final class InFlight {
        final byte[] value;
        /** The membership in force at this instance: its voters are asked and counted. */
        final paxos.api.Membership config;
        final Set<Integer> acks = new HashSet<>();
        /** Cut from the proposal queue (not re-proposed from phase 1, not a no-op). */
        final boolean queued;
        long sentAt;

        InFlight(byte[] value, paxos.api.Membership config, long sentAt, boolean queued) {
            this.value = value;
            this.config = config;
            this.sentAt = sentAt;
            this.queued = queued;
        }
    }

    private final CoreConfig cfg;
    private final int self;
    private final List<Integer> voters;
    private final List<Integer> others;
    private final ConfigTracker tracker;
    private final RandomGenerator random;
    private final Acceptor acceptor;
    private final Learner learner;
    private final Host host;

    private GroupCore.Role role = GroupCore.Role.FOLLOWER;
    private long ballot = Ballot.NONE;
    private long highestSeen;
    private int leaderId;
    private long electionElapsed;
    private long electionTimeout;
    private long heartbeatElapsed;
    private PhaseOne phaseOne;
    /** The pre-vote round in progress (a follower whose election timer fired), or null. */
    private PreVote preVote;
    /** Tick this node last heard {@link #leaderId} act as leader (heartbeat or accept). */
    private long leaderHeardAt = Long.MIN_VALUE / 2;
    /** The other node whose pre-vote this node granted last, and when (tick); 0: none. */
    private int preVoteGrantedTo;
    private long preVoteGrantedAt;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
    /**
     * Instances this leader proposed at {@link #ballot} whose own accept is not durable yet (its own
     * {@code Accepted} not stepped back): the followers' votes may choose an instance before that, so
     * the window alone would let a leader whose disk is slower than its followers' run ahead of it
     * without bound, until its store refused the writes (found with {@code bench catchup}: a 66 MB
     * write queue on the leader). Bounded by {@link #ownAheadMax()}.
     */
    private int ownUndurable;
    private long nextInstance;
    /** As leader: the voters whose promises (complete) made it leader; see {@link ConfigTracker}. */
    private Set<Integer> promisers = Set.of();
    /** As leader: the phase 1 whose reported values it still has to re-propose, up to {@link #recoverLast}. */
    private PhaseOne recovery;
    private long recoverLast = -1;
    /** As leader: the highest instance phase 1 found (or knew chosen) when this node became leader. */
    private long electedUpTo = -1;
    /**
     * Batches this node cut from its queue as leader and gave up unchosen when it stepped down,
     * oldest first, until {@link #takeAbandoned} (at most the window: they come from it).
     */
    private final List<byte[]> abandoned = new ArrayList<>();

    /** Builds the proposer of a core whose acceptor and learner were already restored from the log. */
    Proposer(CoreConfig cfg, List<Integer> voters, List<Integer> others, RandomGenerator random,
             Acceptor acceptor, Learner learner, ConfigTracker tracker, Host host) {
        this.cfg = cfg;
        this.self = cfg.selfNodeId();
        this.voters = voters;
        this.others = others;
        this.tracker = tracker;
        this.random = random;
        this.acceptor = acceptor;
        this.learner = learner;
        this.host = host;
        this.highestSeen = acceptor.promised();
        this.nextInstance = learner.maxKnownChosen() + 1;
        resetElectionTimer();
    }

    GroupCore.Role role() {
        return role;
    }

    /** Votes in the membership in force for the next instance (only such a node runs elections). */
    private boolean selfVoter() {
        return tracker.selfVotesIn(tracker.at(learner.chosenUpTo() + 1), self);
    }

    /** Most instances in flight: the configured window, capped so memberships are known (see {@link ConfigTracker}). */
    private int window() {
        return Math.min(cfg.windowMax(), ConfigTracker.ACTIVATION_DELAY);
    }

    /** Most instances proposed whose own accept is not durable yet: twice the window (see {@link #ownUndurable}). */
    private int ownAheadMax() {
        return 2 * window();
    }

    /** The leader this node last heard of (itself when leading), or {@code 0}. */
    int leaderId() {
        return leaderId;
    }

    /** This node's ballot as candidate or leader ({@link Ballot#NONE} if it never ran). */
    long ballot() {
        return ballot;
    }

    /**
     * As leader: the highest instance phase 1 found accepted or known chosen when it became leader.
     * Every value chosen at a lower ballot is at or below it.
     */
    long electedUpTo() {
        return electedUpTo;
    }

    /** The voters answering read-index rounds (the leader sends to the others). */
    void sendReadProbes(long round) {
        for (int v : voters) {
            if (v != self) host.send(new Message.ReadProbe(cfg.group(), self, v, ballot, round));
        }
    }

    int inFlightCount() {
        return inFlight.size();
    }

    /**
     * The batches this node proposed from its queue as leader and dropped unchosen on stepping
     * down, oldest first; the list is emptied. The higher ballot that deposed it may have chosen
     * other values at their instances (an old leader cut off, proposing again when the cut heals):
     * the owner core proposes their commands anew, or their callers wait their whole timeout.
     */
    List<byte[]> takeAbandoned() {
        if (abandoned.isEmpty()) return List.of();
        List<byte[]> out = List.copyOf(abandoned);
        abandoned.clear();
        return out;
    }

    /** One tick of the core's time: election timeout, phase 1 retransmission, heartbeats, accepts. */
    void tick() {
        switch (role) {
            case FOLLOWER -> {
                // a node the latest chosen membership drops (removed, demoted, replaced) no longer campaigns:
                // it still answers as an acceptor until the change is in force, and that membership's voters lead
                if (selfVoter() && tracker.selfVotesIn(tracker.latest(), self) && ++electionElapsed >= electionTimeout) {
                    if (cfg.preVote()) startPreVote();
                    else startPhaseOne();
                }
            }
            case CANDIDATE -> tickCandidate();
            case LEADER -> tickLeader();
        }
    }

    // ---------------------------------------------------------------- what the acceptor side saw

    /** A peer used ballot {@code b}: remember it, and stop proposing if it is above this node's. */
    void observe(long b) {
        seeBallot(b);
        if (role != GroupCore.Role.FOLLOWER && b > ballot) stepDown(b);
    }

    /** Another node runs phase 1: the leader this node knew is no longer assumed. */
    void forgetLeader() {
        leaderId = 0;
        electionElapsed = 0;
    }

    /** {@code node} acts as leader (accepts, heartbeats): follow it and restart the election timer. */
    void hearLeader(int node) {
        if (node == self) return;
        leaderId = node;
        leaderHeardAt = host.now();
        electionElapsed = 0;
        preVote = null;
    }

    /** True if this node heard a live follower's leader (another node) within an election timeout. */
    boolean hearsLeader() {
        return role == GroupCore.Role.FOLLOWER && leaderId != 0 && leaderId != self
                && host.now() - leaderHeardAt < cfg.electionTimeoutTicks();
    }

    // ---------------------------------------------------------------- pre-vote

    /**
     * Asks every voter whether it would promise a higher ballot, raising none. Phase 1 starts
     * only once a quorum granted (see {@link PreVote}); a round without a quorum is simply
     * replaced by the next one when the election timer fires again.
     */
    private void startPreVote() {
        long b = Ballot.nextAbove(Math.max(highestSeen, acceptor.promised()), self);
        resetElectionTimer();
        leaderId = 0; // not heard for an election timeout: queue proposals instead of forwarding them
        preVote = new PreVote(b);
        // The self-grant is handled at once and may start phase 1 (quorum of one): stop then.
        for (int v : voters) {
            if (preVote == null || preVote.ballot != b) return;
            host.send(new Message.PreVote(cfg.group(), self, v, b));
        }
    }

    /**
     * Acceptor side: whether this node would promise a higher ballot to {@code asker} now. Besides
     * {@link PreVote#grants}, a candidate refuses (its own phase 1 is on), and so does a node that
     * granted another node's pre-vote within the last election timeout (seed 8710): two rounds
     * granted concurrently let both askers start phase 1; the one with the higher ballot, cut off
     * before its Prepare went out, deposed the other (elected meanwhile) when it came back.
     */
    boolean grantsPreVote(int asker) {
        long now = host.now();
        if (role == GroupCore.Role.CANDIDATE && asker != self) return false;
        if (preVoteGrantedTo != 0 && preVoteGrantedTo != asker && now - preVoteGrantedAt < cfg.electionTimeoutTicks()) return false;
        boolean granted = PreVote.grants(asker, role == GroupCore.Role.LEADER, leaderId, leaderHeardAt, now, cfg.electionTimeoutTicks());
        if (granted && asker != self) {
            preVoteGrantedTo = asker;
            preVoteGrantedAt = now;
        }
        return granted;
    }

    void onPreVoteReply(Message.PreVoteReply r) {
        if (role != GroupCore.Role.FOLLOWER || preVote == null || r.ballot() != preVote.ballot || !r.granted()) return;
        if (Math.max(highestSeen, acceptor.promised()) >= preVote.ballot) {
            // another node's phase 1 went above this round meanwhile (seeds 5616, 5159): grants given
            // before they saw it would let this node start a rival phase 1 above it, and if cut off
            // then, depose the leader elected meanwhile when it comes back; wait for the next timeout
            preVote = null;
            return;
        }
        if (preVote.grant(r.from()) >= cfg.quorumRule().size(Math.max(1, tracker.at(learner.chosenUpTo() + 1).voters()))) {
            preVote = null;
            startPhaseOne();
        }
    }

    /** A value became known chosen: it leaves the window; chosen at a higher ballot, step down. */
    void learned(long instance, long b) {
        InFlight f = inFlight.remove(instance);
        if (f != null && b > ballot && role == GroupCore.Role.LEADER) stepDown(b);
        if (role == GroupCore.Role.LEADER) proposeRecovered(); // chosenUpTo may have moved: more memberships known
    }

    // ---------------------------------------------------------------- phase 1

    private void startPhaseOne() {
        ballot = Ballot.nextAbove(Math.max(highestSeen, acceptor.promised()), self);
        highestSeen = ballot;
        role = GroupCore.Role.CANDIDATE;
        leaderId = 0;
        preVote = null;
        inFlight.clear();
        ownUndurable = 0; // a new ballot: the old one's own votes no longer count
        recovery = null;
        resetElectionTimer();
        long from = learner.chosenUpTo() + 1;
        long b = ballot;
        phaseOne = new PhaseOne(b, from, voters, host.now());
        // The self-promise is handled at once and may finish phase 1 (quorum of one): use locals.
        for (int v : voters) host.send(new Message.Prepare(cfg.group(), self, v, b, from));
    }

    private void tickCandidate() {
        long now = host.now();
        if (now - phaseOne.lastSentAt >= cfg.retransmitTicks()) {
            phaseOne.lastSentAt = now;
            for (int v : voters) {
                long from = phaseOne.expectedFrom(v);
                if (from >= 0 && v != self) host.send(new Message.Prepare(cfg.group(), self, v, ballot, from));
            }
        }
        // A phase 1 that cannot finish (no quorum reachable) starts over with a fresh ballot, after a
        // pre-vote if those are on: a candidate cut off (seed 1479) must not come back with a ballot
        // raised alone and unseat the leader the others elected meanwhile.
        if (++electionElapsed >= 4 * electionTimeout) {
            if (cfg.preVote()) {
                stepDown(ballot);
                startPreVote();
            } else {
                startPhaseOne();
            }
        }
    }

    void onPromise(Message.Promise p) {
        if (role != GroupCore.Role.CANDIDATE || p.ballot() != ballot) return;
        PhaseOne one = phaseOne;
        if (p.chosenUpTo() >= one.from) {
            // The acceptor knows chosen values this node lacks (and may have let go of their bytes):
            // catch up first, let an up-to-date node lead meanwhile.
            learner.notePeer(p.from(), p.chosenUpTo());
            stepDown(ballot);
            return;
        }
        for (Message.Entry e : p.entries()) {
            if (e.chosen()) host.learn(e.instance(), e.ballot(), e.value());
        }
        if (role != GroupCore.Role.CANDIDATE) return;
        long again = one.take(p);
        if (again >= 0) host.send(new Message.Prepare(cfg.group(), self, p.from(), ballot, again));
        else if (role == GroupCore.Role.CANDIDATE && tracker.quorumInAll(one.completed(), one.from, cfg.quorumRule()))
            becomeLeader();
    }

    private void becomeLeader() {
        PhaseOne one = phaseOne;
        phaseOne = null;
        role = GroupCore.Role.LEADER;
        leaderId = self;
        promisers = Set.copyOf(one.completed());
        recovery = one;
        recoverLast = Math.max(one.maxInstance(), learner.maxKnownChosen());
        electedUpTo = recoverLast;
        nextInstance = Math.max(one.from, learner.chosenUpTo() + 1);
        proposeRecovered();
        if (role == GroupCore.Role.LEADER) broadcastHeartbeat();
    }

    /**
     * Leader: re-proposes what phase 1 reported (no-ops in the gaps) up to {@link #recoverLast}, as
     * far as memberships are known (an instance more than the activation delay past the chosen
     * prefix waits until the prefix grows).
     */
    private void proposeRecovered() {
        PhaseOne one = recovery;
        if (one == null) return;
        while (role == GroupCore.Role.LEADER && recovery == one && nextInstance <= recoverLast
                && nextInstance <= learner.chosenUpTo() + ConfigTracker.ACTIVATION_DELAY && ownUndurable < ownAheadMax()) {
            long i = nextInstance;
            if (learner.isChosen(i)) {
                nextInstance++;
                continue;
            }
            if (!mayPropose(i)) return;
            Message.Entry e = one.adopted(i);
            proposeAt(i, e == null ? BatchCodec.noOp() : e.value(), false);
        }
        if (recovery == one && nextInstance > recoverLast) recovery = null;
    }

    // ---------------------------------------------------------------- phase 2 (leader)

    private void tickLeader() {
        if (!selfVoter()) {
            // a membership without this node as voter is in force: leave leading to its voters
            stepDown(ballot);
            return;
        }
        if (++heartbeatElapsed >= cfg.heartbeatTicks()) broadcastHeartbeat();
        proposeRecovered();
        if (role != GroupCore.Role.LEADER) return;
        fillToPendingMembership();
        if (role != GroupCore.Role.LEADER) return;
        long now = host.now();
        for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
            InFlight f = e.getValue();
            if (now - f.sentAt < cfg.retransmitTicks()) continue;
            f.sentAt = now;
            for (int v : votersOf(f.config)) {
                if (v != self && !f.acks.contains(v)) // its own vote comes back once durable
                    host.send(new Message.Accept(cfg.group(), self, v, ballot, e.getKey(), f.value, learner.chosenUpTo()));
            }
        }
    }

    private void broadcastHeartbeat() {
        heartbeatElapsed = 0;
        for (int m : others) host.send(new Message.Heartbeat(cfg.group(), self, m, ballot, learner.chosenUpTo()));
    }

    /** Leader: cuts batches from {@code queue} into the free slots of the window, while still leading. */
    void proposeBatches(ProposalQueue queue) {
        proposeRecovered();
        if (recovery != null) return;
        while (queue.batchDue(host.now()) && nextInstance - learner.chosenUpTo() - 1 < window()
                && ownUndurable < ownAheadMax() && role == GroupCore.Role.LEADER) {
            long instance = Math.max(nextInstance, learner.maxKnownChosen() + 1);
            if (!mayPropose(instance)) break; // checked before taking the batch, so no unit is lost
            proposeAt(instance, BatchCodec.encode(queue.takeBatch()), true);
        }
        fillToPendingMembership();
    }

    /**
     * True if this leader may propose {@code instance} now: its membership is known (within the
     * activation delay of the chosen prefix), this node votes in it (else it steps down), and its
     * promisers are a quorum of it (else it runs phase 1 again).
     */
    private boolean mayPropose(long instance) {
        if (instance > learner.chosenUpTo() + ConfigTracker.ACTIVATION_DELAY) return false;
        paxos.api.Membership config = tracker.at(instance);
        if (!ConfigTracker.isVoter(config, self)) {
            // removed or demoted from this instance on: finish the instances before it, then step
            // down (tickLeader) once that membership is in force; stepping down now would drop them
            return false;
        }
        if (!ConfigTracker.quorumIn(promisers, config, cfg.quorumRule())) {
            // a membership came into force whose quorums this leader's phase 1 did not cover: run it again
            startPhaseOne();
            return false;
        }
        return true;
    }

    /**
     * Leader of an idle group with a membership change chosen but not in force: proposes no-ops up
     * to the instance it comes into force at, so that it does without waiting for traffic.
     */
    private void fillToPendingMembership() {
        long start = tracker.latestStart();
        while (role == GroupCore.Role.LEADER && recovery == null && nextInstance < start
                && nextInstance - learner.chosenUpTo() - 1 < window()) {
            long instance = Math.max(nextInstance, learner.maxKnownChosen() + 1);
            if (instance >= start || !mayPropose(instance)) break;
            proposeAt(instance, BatchCodec.noOp(), false);
        }
    }

    /** The voters of {@code m}; kept for the last membership asked (immutable), as every proposal asks. */
    private List<Integer> votersOf(paxos.api.Membership m) {
        if (m != votersOfMembership) {
            List<Integer> out = new java.util.ArrayList<>(m.members().size());
            for (paxos.api.Member x : m.members()) if (x.role() == paxos.api.MemberRole.VOTER) out.add(x.nodeId());
            votersOf = List.copyOf(out);
            votersOfMembership = m;
        }
        return votersOf;
    }

    private paxos.api.Membership votersOfMembership;
    private List<Integer> votersOf = List.of();

    /**
     * Proposes {@code value} at {@code instance}; the caller checked {@link #mayPropose}.
     * {@code queued}: a batch cut from the queue (see {@link #takeAbandoned}).
     */
    private void proposeAt(long instance, byte[] value, boolean queued) {
        paxos.api.Membership config = tracker.at(instance);
        InFlight f = new InFlight(value, config, host.now(), queued);
        if (!acceptor.accept(ballot, instance, value)) {
            if (queued) abandoned.add(value); // taken from the queue already
            stepDown(acceptor.promised());
            return;
        }
        inFlight.put(instance, f);
        ownUndurable++;
        // This node's own vote counts only once its accept is durable: the runtime hands the
        // Accepted back after the Ready holding the record is synced, which lets it send the
        // Accepts to the others before its own fsync (in parallel with it).
        host.send(new Message.Accepted(cfg.group(), self, self, ballot, instance));
        for (int v : votersOf(config)) {
            if (v != self) host.send(new Message.Accept(cfg.group(), self, v, ballot, instance, value, learner.chosenUpTo()));
        }
        nextInstance = Math.max(nextInstance, instance + 1);
    }

    void onAccepted(Message.Accepted a) {
        if (a.from() == self && a.ballot() == ballot && ownUndurable > 0) ownUndurable--; // own accept durable
        if (role != GroupCore.Role.LEADER || a.ballot() != ballot) return;
        InFlight f = inFlight.get(a.instance());
        if (f == null) return;
        f.acks.add(a.from());
        checkChosen(a.instance(), f);
    }

    private void checkChosen(long instance, InFlight f) {
        if (!ConfigTracker.quorumIn(f.acks, f.config, cfg.quorumRule())) return;
        inFlight.remove(instance);
        host.learn(instance, ballot, f.value);
        for (int m : others) {
            // Voters were sent the Accept: a voter whose copy was lost notices the gap through the
            // commit's chosenUpTo and catches up by range. Sending the bytes to every voter that has
            // not answered yet would send most values twice to the slowest follower.
            byte[] value = ConfigTracker.isVoter(f.config, m) ? null : f.value;
            host.send(new Message.Commit(cfg.group(), self, m, instance, ballot, value, learner.chosenUpTo()));
        }
    }

    void onReject(Message.Reject r) {
        seeBallot(r.promised());
        if (role != GroupCore.Role.FOLLOWER && r.ballot() == ballot && r.promised() > ballot) stepDown(r.promised());
    }

    /** Gives up proposing (someone with a higher ballot is active) and backs off randomly. */
    private void stepDown(long higher) {
        seeBallot(higher);
        role = GroupCore.Role.FOLLOWER;
        phaseOne = null;
        recovery = null;
        for (InFlight f : inFlight.values()) if (f.queued) abandoned.add(f.value);
        // bounded by the window, as inFlight; stepping down again before the core took them drops the oldest
        while (abandoned.size() > window()) abandoned.remove(0);
        inFlight.clear();
        ownUndurable = 0;
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
}
