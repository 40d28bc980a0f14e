package paxos.impl.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's read-index confirmations of one group (owned by {@link GroupCore}, on its thread;
 * pure: time is the core's tick count). A read registered at the leader carries the index it must
 * see executed (taken at registration) and the first confirmation round started after it; it is
 * released once a quorum of voters answered that round (or a later one) at the leader's ballot
 * without having promised a higher ballot. Only the latest round's answers count; a round not
 * confirmed within the retransmission interval is replaced by a new one.
 *
 * <p>Why it is linearizable: a write acknowledged before the read was registered was chosen at
 * some ballot. At a higher ballot than the leader's, a quorum would have promised that ballot
 * before the registration, and promises only grow (they are durable), so no quorum could have
 * answered the later round: the read waits for that. At the leader's ballot or a lower one, it is
 * at or below the index (see {@link GroupCore#read}).
 *
 * <p><b>Followers' reads</b> ({@link FollowerReads}) are registered here the same way when their
 * {@link Message.ReadIndexRequest} arrives, with the index taken then, and answered with a
 * {@link Message.ReadIndexReply} when released (confirmed or not); one follower holds at most half
 * of the {@code pendingMax} slots, so that it cannot crowd out the leader's own and other reads.
 */
final class ReadIndex {
    /**
     * A waiting read: the node that asked (this one for a local read; else {@code id} is its tag),
     * its index, the first round that confirms it, the tick it was registered.
     */
    private record Pending(int from, long id, long index, long round, long since) {}

    private final int group;
    private final int self;
    /** Whether a set of nodes (this one included) confirms: a quorum of every membership in force or pending. */
    private final java.util.function.Predicate<Set<Integer>> isQuorum;
    private final int pendingMax;
    private final long expireTicks;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Set<Integer> acks = new HashSet<>();
    private final List<GroupCore.ReadDone> done = new ArrayList<>();
    /** Answers to followers' reads, to send. */
    private final List<Message.ReadIndexReply> answers = new ArrayList<>();
    /** Followers' reads waiting here, by follower (entries removed at zero: bounded by the members). */
    private final Map<Integer, Integer> remote = new HashMap<>();
    private long ballot = Ballot.NONE;
    private long sentRound;
    private long sentAt;
    private long confirmedRound;

    /**
     * @param pendingMax most reads waiting for confirmation (more are refused: the caller falls back)
     * @param expireTicks a read not confirmed within it is released unconfirmed (bounds the state)
     */
    ReadIndex(int group, int self, java.util.function.Predicate<Set<Integer>> isQuorum, int pendingMax, long expireTicks) {
        this.group = group;
        this.self = self;
        this.isQuorum = isQuorum;
        this.pendingMax = pendingMax;
        this.expireTicks = expireTicks;
    }

    /** The ballot the waiting reads were registered at ({@link Ballot#NONE} if none wait). */
    long ballot() {
        return pending.isEmpty() ? Ballot.NONE : ballot;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * Registers a read of the leader at {@code leaderBallot}, asked by node {@code from} (this node,
     * or a follower whose tag is {@code id}); false if too many wait (or too many of that follower's).
     */
    boolean register(int from, long id, long index, long leaderBallot, long now) {
        if (pending.size() >= pendingMax) return false;
        if (from != self && remote.getOrDefault(from, 0) >= Math.max(1, pendingMax / 2)) return false;
        if (!pending.isEmpty() && leaderBallot != ballot) failAll();
        ballot = leaderBallot;
        pending.addLast(new Pending(from, id, index, sentRound + 1, now));
        if (from != self) remote.merge(from, 1, Integer::sum);
        return true;
    }

    /**
     * The number of a round to start now (its answers are counted from now on; this node's own
     * answer is already counted), or {@code -1}: none is due. One is due when a waiting read needs
     * a round not yet sent and none is outstanding, or the outstanding one is {@code retransmit} old.
     */
    long startRoundIfDue(long now, long retransmit) {
        if (pending.isEmpty()) return -1;
        boolean outstanding = sentRound > confirmedRound;
        boolean needed = pending.peekLast().round > sentRound;
        if (outstanding ? now - sentAt < retransmit : !needed) return -1;
        sentRound++;
        sentAt = now;
        acks.clear();
        acks.add(self);
        release();
        return sentRound;
    }

    /** A voter answered {@code round} at {@code b}: releases the reads a quorum confirmed. */
    void ack(int from, long b, long round) {
        if (pending.isEmpty() || b != ballot || round != sentRound) return;
        acks.add(from);
        release();
    }

    private void release() {
        if (!isQuorum.test(acks)) return;
        confirmedRound = sentRound;
        while (!pending.isEmpty() && pending.peekFirst().round <= confirmedRound) {
            Pending p = pending.removeFirst();
            released(p, p.index);
        }
    }

    /** A read leaves: into {@link #drain} if local, else an answer to its follower. */
    private void released(Pending p, long index) {
        if (p.from == self) {
            done.add(new GroupCore.ReadDone(p.id, index));
            return;
        }
        answers.add(new Message.ReadIndexReply(group, self, p.from, p.id, index));
        if (remote.merge(p.from, -1, Integer::sum) <= 0) remote.remove(p.from);
    }

    /** Releases the reads waiting longer than the expiry, unconfirmed. */
    void expire(long now) {
        while (!pending.isEmpty() && now - pending.peekFirst().since >= expireTicks) {
            released(pending.removeFirst(), GroupCore.ReadDone.UNCONFIRMED);
        }
    }

    /** Leadership lost (or a new ballot): every waiting read is released unconfirmed. */
    void failAll() {
        while (!pending.isEmpty()) released(pending.removeFirst(), GroupCore.ReadDone.UNCONFIRMED);
    }

    /** Adds a read released at once (the simulator's broken variant). */
    void releaseNow(long id, long index) {
        done.add(new GroupCore.ReadDone(id, index));
    }

    /** The answers to followers' reads released since the last call, to send. */
    List<Message.ReadIndexReply> drainAnswers() {
        return take(answers);
    }

    /** The local reads released since the last call. */
    List<GroupCore.ReadDone> drain() {
        return take(done);
    }

    /** A copy of {@code list}, which is emptied. */
    static <T> List<T> take(List<T> list) {
        if (list.isEmpty()) return List.of();
        List<T> out = List.copyOf(list);
        list.clear();
        return out;
    }
}
