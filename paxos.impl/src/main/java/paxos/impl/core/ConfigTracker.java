package paxos.impl.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/**
 * The memberships of one group by the instance from which each is in force, followed along the
 * chosen log. Pure and single-threaded like the core that owns it.
 *
 * <p><b>The rule.</b> A {@link MembershipCommand} chosen at instance {@code i} is decided there, as
 * a compare-and-set: it applies iff no earlier change is still pending at {@code i} (one change at a
 * time), {@code i >= 1}, and its expected version equals the version of the latest membership. If it applies, its
 * membership (version {@code i}) is in force for every instance {@code >= i + }{@link #ACTIVATION_DELAY};
 * otherwise it is a no-op everywhere. The decision depends only on chosen values at instances
 * {@code <= i}, so every replica decides the same.
 *
 * <p><b>Why a delay.</b> A leader proposes instance {@code n} only once every instance up to
 * {@code n - ACTIVATION_DELAY} is known chosen here (its window is capped at the delay). So the
 * membership of every instance it proposes is already known, and no instance is ever decided by a
 * quorum of one membership while another leader counts it in another: the membership of an
 * instance is a function of the log, not of the moment.
 *
 * <p><b>Phase 1 across a boundary.</b> A candidate's prepare covers every instance from its first
 * not-known-chosen one, {@code from}; the memberships of {@code [from, from + delay)} are known
 * (at most two: the one in force and a pending one). It becomes leader only with complete promises
 * from a quorum of each. Before proposing an instance of a membership in which its promisers are
 * not a quorum (one that came into force later), it runs phase 1 again.
 */
public final class ConfigTracker {
    /**
     * Instances between a membership change and the instance from which it is in force; also the
     * most instances a leader has in flight (the configured window is capped to it).
     */
    public static final int ACTIVATION_DELAY = 64;
    /** Memberships kept (the oldest go: nothing below the log a node still replays needs them). */
    static final int HISTORY_MAX = 16;
    /** The log store metadata key the history is persisted under (a record of the core's Ready). */
    public static final String META_KEY = "members";

    private final TreeMap<Long, Membership> history = new TreeMap<>();
    /** {@link #ACTIVATION_DELAY} in production; another value only in the simulator's broken variant. */
    private int delay = ACTIVATION_DELAY;
    /** This node's incarnation ({@code null}: unknown, every entry of its ID is this node); see {@link #identifiedAs}. */
    private String incarnation;
    private boolean joining;
    private long scannedUpTo;
    private int changes;
    /**
     * {@link #from} for every instance in {@code [fromLo, fromHi)}, as last computed (empty range:
     * none). Why: the core asks for it on every instance it learns and every quorum check, while
     * the memberships change once in a long while; the list is immutable and replaced (never
     * changed) when recomputed, so {@link #fromVersion} tells callers whether it moved.
     */
    private List<Membership> fromCache = List.of();
    private long fromLo = 1;
    private long fromHi = 0;
    private long fromVersion;

    /**
     * @param history memberships by the first instance each is in force (at least one)
     * @param scannedUpTo every chosen instance up to it was decided into {@code history}
     */
    public ConfigTracker(NavigableMap<Long, Membership> history, long scannedUpTo) {
        if (history.isEmpty()) throw new IllegalArgumentException("a membership history needs one membership");
        this.history.putAll(history);
        this.scannedUpTo = scannedUpTo;
    }

    /**
     * This tracker with changes coming into force {@code delay} instances after they are chosen. The
     * leader's window stays capped at {@link #ACTIVATION_DELAY}, so any other value is unsafe: only
     * the simulator's broken variant uses one, to prove the oracles catch it.
     */
    public ConfigTracker withDelay(int delay) {
        if (delay < 1) throw new IllegalArgumentException("delay must be >= 1: " + delay);
        this.delay = delay;
        return this;
    }

    /**
     * This tracker knowing which incarnation of its node's data directory it runs on, so that the
     * core votes only where a membership lists this node <em>as this incarnation</em> ({@link #isSelf}).
     * Without it (tests, tools) every entry of the node's ID is taken for this node.
     *
     * @param incarnation this node's incarnation, or {@code null} if it has none
     * @param joining the node was started to join with a fresh data directory: an entry of its ID
     *     without an incarnation (a bootstrap configuration's) is a former incarnation, not this one
     */
    public ConfigTracker identifiedAs(String incarnation, boolean joining) {
        this.incarnation = incarnation;
        this.joining = joining;
        return this;
    }

    /**
     * True if {@code m} (an entry of this node's ID) is this incarnation of the node: it carries this
     * incarnation, or none and this node is not joining (a bootstrap member: the first incarnation
     * peers see is pinned). A data directory that was lost and recreated has a new incarnation, so
     * an entry made for the old one is not this node and it must not vote on its behalf.
     */
    public boolean isSelf(Member m) {
        if (incarnation == null) return true;
        return m.incarnation() == null ? !joining : m.incarnation().equals(incarnation);
    }

    /** Only the bootstrap membership, in force from instance 0; nothing scanned below {@code from}. */
    public static ConfigTracker bootstrap(Membership m, long from) {
        return new ConfigTracker(new TreeMap<>(Map.of(0L, m)), from - 1);
    }

    /** The membership in force at {@code instance}. */
    public Membership at(long instance) {
        if (instance >= fromLo && instance < fromHi) return fromCache.get(0); // the span from() last computed
        Map.Entry<Long, Membership> e = history.floorEntry(Math.max(instance, 0));
        return e == null ? history.firstEntry().getValue() : e.getValue();
    }

    /** The membership in force at {@code instance} and every later one already decided (an immutable list). */
    List<Membership> from(long instance) {
        if (instance >= fromLo && instance < fromHi) return fromCache;
        List<Membership> out = new ArrayList<>();
        out.add(at(instance));
        out.addAll(history.tailMap(instance, false).values());
        // the same list holds for every instance from the start of the membership in force at
        // `instance` (or from anywhere below the oldest one kept) up to the next start
        Long lo = history.floorKey(Math.max(instance, 0));
        Long hi = history.higherKey(instance);
        fromLo = lo == null ? Long.MIN_VALUE : lo;
        fromHi = hi == null ? Long.MAX_VALUE : hi;
        fromCache = List.copyOf(out);
        fromVersion++;
        return fromCache;
    }

    /**
     * Moves whenever {@link #from} computed a new list: equal values, same list (the history did
     * not change and the instance asked for stays within one membership's span).
     */
    long fromVersion() {
        return fromVersion;
    }

    /** The first instance of the latest membership (above {@code instance}: a change is pending there). */
    public long latestStart() {
        return history.lastKey();
    }

    /** The latest decided membership (in force, or pending). */
    public Membership latest() {
        return history.lastEntry().getValue();
    }

    /** Every instance up to it was scanned for changes. */
    public long scannedUpTo() {
        return scannedUpTo;
    }

    /** How many changes were decided here (the runtime persists the history when it moves). */
    public int changes() {
        return changes;
    }

    /** A copy of the history, for persisting and checkpoints. */
    public NavigableMap<Long, Membership> history() {
        return new TreeMap<>(history);
    }

    static boolean isVoter(Membership m, int node) {
        for (Member x : m.members()) if (x.nodeId() == node) return x.role() == MemberRole.VOTER;
        return false;
    }

    /** True if {@code m} lists this node as a voter under this incarnation ({@link #isSelf}): only then may it run elections or take proposals. */
    boolean selfVotesIn(Membership m, int self) {
        for (Member x : m.members()) if (x.nodeId() == self) return x.role() == MemberRole.VOTER && isSelf(x);
        return false;
    }

    /** True if {@code nodes} hold a quorum of {@code m}'s voters under {@code rule}. */
    static boolean quorumIn(Collection<Integer> nodes, Membership m, QuorumRule rule) {
        // one pass counting both (Membership.voters() walks the members again): a leader asks per accept
        int voters = 0;
        int n = 0;
        for (Member x : m.members()) {
            if (x.role() != MemberRole.VOTER) continue;
            voters++;
            if (nodes.contains(x.nodeId())) n++;
        }
        return voters > 0 && n >= rule.size(voters);
    }

    /** True if {@code nodes} hold a quorum of every membership in force at or after {@code from}. */
    boolean quorumInAll(Collection<Integer> nodes, long from, QuorumRule rule) {
        for (Membership m : from(from)) if (!quorumIn(nodes, m, rule)) return false;
        return true;
    }

    /**
     * Decides every chosen instance up to {@code chosenUpTo} not scanned yet.
     *
     * @param valueOf the chosen value of an instance (an encoded batch), or {@code null} if unknown here
     * @return true if a change was decided
     */
    boolean scan(long chosenUpTo, java.util.function.LongFunction<byte[]> valueOf, int commandsMax) {
        boolean changed = false;
        while (scannedUpTo < chosenUpTo) {
            long i = ++scannedUpTo;
            byte[] value = valueOf.apply(i);
            if (value == null) continue;
            for (MembershipCommand c : commandsIn(value, commandsMax)) changed |= decide(i, c);
        }
        return changed;
    }

    /** Applies {@code c} chosen at {@code instance} if it still applies (see the class rule); else a no-op. */
    public boolean decide(long instance, MembershipCommand c) {
        if (c == null || history.lastKey() > instance) return false; // a change is pending at this instance
        // A membership's version is the instance that set it and the bootstrap's is 0: a change chosen
        // at instance 0 would make a second version 0, and a stale change computed from the bootstrap
        // would then pass the compare-and-set. Instance 0 never changes the membership (a no-op everywhere).
        if (instance < 1) return false;
        if (c.expectedVersion() != latest().configVersion()) return false;
        history.put(instance + delay, new Membership(instance, c.members()));
        while (history.size() > HISTORY_MAX) history.pollFirstEntry();
        changes++;
        fromLo = 1; // the spans moved: an empty range, so from() computes again
        fromHi = 0;
        return true;
    }

    /**
     * The membership commands of one encoded batch, in order; walks its command headers in place
     * (no buffer, no copy of other values: the loop runs it on every instance it learns, and almost
     * none holds one). Stops at the first malformed header with the commands found before it:
     * execution reports the corrupt log; nothing changes here.
     */
    static List<MembershipCommand> commandsIn(byte[] batch, int commandsMax) {
        List<MembershipCommand> out = List.of();
        int n = batch.length;
        if (n < BatchCodec.HEADER_BYTES) return out;
        int count = intAt(batch, 1);
        if (count < 0 || count > commandsMax) return out;
        int p = BatchCodec.HEADER_BYTES;
        for (int k = 0; k < count; k++) {
            // header: state machine (2), master version (8), proposer (2), request ID (8), value length (4)
            if (n - p < BatchCodec.COMMAND_OVERHEAD_BYTES) return out;
            int sm = ((batch[p] & 0xff) << 8) | (batch[p + 1] & 0xff);
            int length = intAt(batch, p + 20);
            p += BatchCodec.COMMAND_OVERHEAD_BYTES;
            if (length < 0 || length > n - p) return out;
            if (sm == 0 && length > 0 && batch[p] == MembershipCommand.TYPE) {
                MembershipCommand c;
                try {
                    c = MembershipCommand.decode(java.util.Arrays.copyOfRange(batch, p, p + length));
                } catch (RuntimeException e) {
                    return out; // not a command this codec wrote
                }
                if (c != null) {
                    if (out.isEmpty()) out = new ArrayList<>();
                    out.add(c);
                }
            }
            p += length;
        }
        return out;
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    /** Encodes the history and the scan position (the runtime's metadata and checkpoints carry it). */
    public byte[] encode() {
        List<byte[]> parts = new ArrayList<>();
        int bytes = 1 + 8 + 4;
        for (Map.Entry<Long, Membership> e : history.entrySet()) {
            byte[] c = new MembershipCommand(e.getValue().configVersion(), e.getValue().members()).encode();
            parts.add(c);
            bytes += 8 + 4 + c.length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).put((byte) 1).putLong(scannedUpTo).putInt(history.size());
        int k = 0;
        for (Long start : history.keySet()) {
            byte[] c = parts.get(k++);
            b.putLong(start).putInt(c.length).put(c);
        }
        return b.array();
    }

    /** @throws IllegalArgumentException if the bytes are not an encoded history */
    public static ConfigTracker decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != 1) throw new IllegalArgumentException("unknown membership history format");
            long scanned = b.getLong();
            TreeMap<Long, Membership> h = new TreeMap<>();
            for (int n = b.getInt(); n > 0; n--) {
                long start = b.getLong();
                byte[] c = new byte[b.getInt()];
                b.get(c);
                MembershipCommand m = MembershipCommand.decode(c);
                if (m == null) throw new IllegalArgumentException("bad membership in history");
                h.put(start, new Membership(m.expectedVersion(), m.members()));
            }
            return new ConfigTracker(h, scanned);
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("truncated membership history", e);
        }
    }
}
