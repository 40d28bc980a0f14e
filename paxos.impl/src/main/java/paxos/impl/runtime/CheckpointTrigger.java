package paxos.impl.runtime;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.spi.log.InstanceRecord;

/**
 * When and from whom a node that is behind asks for a checkpoint instead of the log: pure (no
 * clock, no I/O, no threads of its own), shared by the engine's {@link CheckpointService} and the
 * simulator, so the simulator tests the production rule.
 *
 * <p><b>The rule</b> ({@link #choose}): ask only when <em>every</em> reachable peer either said
 * lately (within the note window) that it deleted the needed instance ("compacted"), or is behind
 * too (its chosen position is below the needed instance, so it cannot serve it from its log and
 * will never say "compacted" — without this, two nodes behind the same compacted peers wait for
 * each other forever; the simulator's liveness oracle found exactly that). Among the compacted
 * peers, ask the one retaining the most. Log catch-up is always preferred: one peer that may still
 * serve the log means wait.
 *
 * <p>A stateful instance ({@link #noteCompacted}, {@link #decide}) also keeps the notes and the
 * time before which no new request goes out. Not thread-safe: one owner per group.
 */
public final class CheckpointTrigger {
    /** A peer's "compacted" answer: it keeps its log from {@code minRetained} on; heard at {@code atNanos}. */
    public record Note(long minRetained, long atNanos) {}

    /**
     * @param noteWindowNanos how long a "compacted" answer counts
     * @param retryNanos how long after a request no other one goes out (it may have been lost)
     */
    public record Timing(long noteWindowNanos, long retryNanos) {}

    private final Timing timing;
    private final Map<Integer, Note> notes = new TreeMap<>();
    private long notBeforeNanos;
    private boolean requested;

    public CheckpointTrigger(Timing timing) {
        this.timing = timing;
    }

    /**
     * The peer to ask for a checkpoint, or 0 to wait (for the log, or for more answers).
     *
     * @param need the first instance this node lacks
     * @param reachable the peers reachable now (not this node)
     * @param notes the peers' latest "compacted" answers
     * @param peerChosen each peer's chosen position as last heard (absent: unknown)
     */
    public static int choose(long need, long nowNanos, long noteWindowNanos, List<Integer> reachable,
                             Map<Integer, Note> notes, Map<Integer, Long> peerChosen) {
        int best = 0;
        long bestMin = -1;
        for (int p : reachable) {
            Note note = notes.get(p);
            boolean compacted = note != null && note.minRetained() > need && nowNanos - note.atNanos() <= noteWindowNanos;
            if (compacted) {
                if (note.minRetained() > bestMin) {
                    bestMin = note.minRetained();
                    best = p;
                }
                continue;
            }
            if (peerChosen.getOrDefault(p, Long.MAX_VALUE) < need) continue; // behind too: cannot serve the log
            return 0; // this peer may still serve the log
        }
        return best;
    }

    /**
     * True if a peer's catch-up request from {@code fromInstance} must be answered "compacted"
     * (the requester may then need a checkpoint): the log no longer holds it (below
     * {@code minRetained}), or holds it only as accepted although this node knows it is chosen
     * ({@code fromInstance <= chosenUpTo}). The second case is the durability rule at work: the
     * chosen mark was appended unsynced and lost by a crash, and the node resumed from a
     * checkpoint above it, so it never learns it again and no peer can learn it from this log.
     * (The simulator found that liveness hole once it ran the production runtime.)
     *
     * @param read this node's record of an instance (only asked for {@code fromInstance})
     */
    public static boolean cannotServe(long fromInstance, long minRetained, long chosenUpTo,
                                      java.util.function.LongFunction<java.util.Optional<InstanceRecord>> read) {
        if (fromInstance < minRetained) return true;
        return fromInstance <= chosenUpTo && !read.apply(fromInstance).map(InstanceRecord::chosen).orElse(false);
    }

    /** Peer {@code peer} answered "compacted" below {@code minRetained}. */
    public void noteCompacted(int peer, long minRetained, long nowNanos) {
        notes.put(peer, new Note(minRetained, nowNanos));
    }

    /**
     * Decides with this instance's notes ({@link #choose}); a peer returned counts as asked now, so
     * the next request waits {@link Timing#retryNanos}.
     */
    public int decide(long need, long nowNanos, List<Integer> reachable, Map<Integer, Long> peerChosen) {
        if (requested && nowNanos - notBeforeNanos < 0) return 0;
        int peer = choose(need, nowNanos, timing.noteWindowNanos(), reachable, notes, peerChosen);
        if (peer != 0) {
            requested = true;
            notBeforeNanos = nowNanos + timing.retryNanos();
        }
        return peer;
    }
}
