package paxos.impl.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A follower's LINEARIZABLE reads waiting for the leader's read index (owned by {@link GroupCore},
 * on its thread; pure: time is the core's tick count). A read is asked of the leader this node
 * knows with a {@link Message.ReadIndexRequest}; the leader registers it in its {@link ReadIndex}
 * like its own read and answers with the index once a quorum round confirmed it. The answer
 * releases the read here with that index; the caller then waits until this node executed that far.
 *
 * <p><b>Why it is linearizable.</b> The read started here before the request was sent; the leader
 * takes the index when the request arrives, so after the read started, and releases it only after
 * a quorum answered a round started after that at its ballot, proving it still led then (see
 * {@link ReadIndex}): every write acknowledged before the read started was chosen before the index
 * was taken, at or below it. This node executes up to the index before it reads, so it sees them.
 * Only the node asked may answer, and a tag is never reused, even after a restart (tags start at a
 * random number), so a late answer to an older read cannot release a newer one.
 *
 * <p><b>Bounds and fallback.</b> At most {@code pendingMax} reads wait here (more are refused and
 * take a barrier). A read is released unconfirmed (the caller falls back to a barrier through
 * Paxos, never hangs) when the leader refuses it, when it is not answered within
 * {@code expireTicks}, or when this node stops following the leader it asked (another leader, none
 * known, or it runs for leader itself): every waiting read asked the same leader.
 */
final class FollowerReads {
    private record Asked(long id, long since) {}

    private final int pendingMax;
    private final long expireTicks;
    /** The waiting reads by tag, oldest first. */
    private final LinkedHashMap<Long, Asked> asked = new LinkedHashMap<>();
    private final List<GroupCore.ReadDone> done = new ArrayList<>();
    /** The leader every waiting read asked ({@code 0} if none waits). */
    private int leader;
    private long nextTag;

    /** @param firstTag this incarnation's first tag (random: tags are not reused across restarts) */
    FollowerReads(int pendingMax, long expireTicks, long firstTag) {
        this.pendingMax = pendingMax;
        this.expireTicks = expireTicks;
        this.nextTag = firstTag;
    }

    /** Registers read {@code id} asked of {@code leaderId}: its tag, or {@code -1} if too many wait. */
    long ask(long id, int leaderId, long now) {
        follow(leaderId);
        if (asked.size() >= pendingMax) return -1;
        long tag = nextTag++;
        leader = leaderId;
        asked.put(tag, new Asked(id, now));
        return tag;
    }

    /** The answer of {@code from} to read {@code tag}; ignored unless it is the leader that read asked. */
    void answered(int from, long tag, long index) {
        if (from != leader) return;
        Asked a = asked.remove(tag);
        if (a != null) done.add(new GroupCore.ReadDone(a.id, index < 0 ? GroupCore.ReadDone.UNCONFIRMED : index));
    }

    /**
     * Releases unconfirmed the reads that waited {@code expireTicks}, and every read if this node
     * no longer follows the leader they asked ({@code leaderId}: the one it follows now, or 0).
     */
    void check(int leaderId, long now) {
        follow(leaderId);
        Iterator<Map.Entry<Long, Asked>> it = asked.entrySet().iterator();
        while (it.hasNext()) {
            Asked a = it.next().getValue();
            if (now - a.since < expireTicks) break;
            it.remove();
            done.add(new GroupCore.ReadDone(a.id, GroupCore.ReadDone.UNCONFIRMED));
        }
    }

    private void follow(int leaderId) {
        if (leaderId == leader) return;
        for (Asked a : asked.values()) done.add(new GroupCore.ReadDone(a.id, GroupCore.ReadDone.UNCONFIRMED));
        asked.clear();
        leader = leaderId;
    }

    /** Releases a read at once with {@code index}, without asking (the simulator's broken variant). */
    void releaseNow(long id, long index) {
        done.add(new GroupCore.ReadDone(id, index));
    }

    /** The reads released since the last call. */
    List<GroupCore.ReadDone> drain() {
        return ReadIndex.take(done);
    }
}
