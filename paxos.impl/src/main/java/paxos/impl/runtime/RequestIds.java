package paxos.impl.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.ConfigTracker;

/**
 * This node's request IDs (see {@link BootCounter} for their layout) and, per group, whether this
 * node may number requests there yet.
 *
 * <p><b>Why a group can be closed.</b> Execution deduplicates by (proposer node, request ID)
 * ({@code RequestDedup}), and a node whose data directory is new (a lost machine back under its
 * old node ID, through {@code --join} and a replace by itself, or the {@code --bootstrap}
 * override) starts its boot counter at 1 again: its IDs would be those its former incarnation
 * already executed, and the group would drop or refuse them. So a node that has not yet checked
 * its IDs against every group ({@link #KEY} absent from its store: a new directory, or one
 * written before this check existed) keeps each group closed until that group's runner has
 * executed the group's history of this node ID and called {@link #openAbove} with the highest
 * request ID of this node ID in the executed-requests table: the node-wide sequence is raised to
 * the next boot counter above it (IDs only grow, so one sequence serves every group) and the
 * counter is stored, so later starts number above it too. Once every group is open the store
 * records {@link #KEY} and later starts open every group at once.
 *
 * <p>The engine keeps the counter and the check in its log store ({@link #start(LogStore, int)});
 * the simulator passes its simulated disk ({@link #start(Metadata, int)}), so that a wiped disk
 * restarts the counter there too and this rule is what keeps its requests apart.
 *
 * <p><b>Threads.</b> Any thread; {@link #openAbove} blocks on two durable writes at most (once per data directory).
 */
public final class RequestIds {
    /**
     * A node's group 0 metadata, where its boot counter ({@code BootCounter}) and whether its IDs
     * were checked ({@value #KEY}) live: the engine's log store, or the simulator's disk.
     */
    public interface Metadata {
        /** The value under {@code key}, or {@code null} if none. */
        byte[] get(String key);

        /** Stores {@code value} under {@code key}, durably before it returns. */
        void put(String key, byte[] value);
    }

    /** Group 0 metadata written once every group was opened (the IDs were checked against every group's history). */
    static final String KEY = "ids-checked";

    private final AtomicLong sequence;
    /** Per group: 1 once open; {@code null}: every group is open. */
    private final AtomicIntegerArray open;
    private final Metadata metadata;

    private RequestIds(AtomicLong sequence, AtomicIntegerArray open, Metadata metadata) {
        this.sequence = sequence;
        this.open = open;
        this.metadata = metadata;
    }

    /** Every group open from the start, numbering from {@code sequence} (tests, the simulator's nodes). */
    static RequestIds open(AtomicLong sequence) {
        return new RequestIds(sequence, null, null);
    }

    /** This start's IDs kept in the engine's log store: group 0 metadata {@code boot} and {@value #KEY}. */
    static RequestIds start(LogStore store, int groups) {
        return start(new Metadata() {
            @Override
            public byte[] get(String key) {
                return store.meta(0, key).orElse(null);
            }

            @Override
            public void put(String key, byte[] value) {
                store.append(List.of(new LogRecord.Meta(0, key, value))).toCompletableFuture().join();
            }
        }, groups);
    }

    /**
     * This start's IDs: a new boot counter stored in {@code metadata}; every group open if it says
     * the IDs were checked before, else every group closed until {@link #openAbove}.
     */
    public static RequestIds start(Metadata metadata, int groups) {
        boolean checked = metadata.get(KEY) != null;
        AtomicLong sequence = new AtomicLong(BootCounter.firstRequestId(BootCounter.next(metadata)));
        return checked ? open(sequence) : new RequestIds(sequence, new AtomicIntegerArray(groups), metadata);
    }

    /**
     * The instance a closed group must have executed here before it opens, or {@link Long#MIN_VALUE}
     * while that cannot be told: this node (a voter of {@code inForce}) heard no other voter yet. It
     * is the later of the last instance before {@code inForce} came into force (the change that
     * admitted this incarnation: what its former incarnation had chosen before is below it) and the
     * highest chosen position a peer reported since this start ({@code reported}: peer to position).
     */
    static long openingInstance(Membership inForce, int self, Map<Integer, Long> reported) {
        boolean alone = true;
        boolean heard = false;
        for (Member x : inForce.members()) {
            if (x.nodeId() == self || x.role() != MemberRole.VOTER) continue;
            alone = false;
            heard |= reported.containsKey(x.nodeId());
        }
        if (!alone && !heard) return Long.MIN_VALUE;
        long at = inForce.configVersion() == 0 ? -1 : inForce.configVersion() + ConfigTracker.ACTIVATION_DELAY - 1;
        for (long c : reported.values()) at = Math.max(at, c);
        return at;
    }

    /** The node-wide sequence: the next request ID. */
    AtomicLong sequence() {
        return sequence;
    }

    /** May this node number requests in {@code group}? */
    boolean isOpen(int group) {
        return open == null || open.get(group) == 1;
    }

    /**
     * Opens {@code group}, whose executed-requests table holds {@code highestOwn} as this node ID's
     * highest request ID ({@code <= 0}: none): the sequence is raised above its boot counter, and
     * the counter stored durably first (a restart must not number below IDs this start used).
     */
    synchronized void openAbove(int group, long highestOwn) {
        if (isOpen(group)) return;
        if (highestOwn > 0) {
            long boot = BootCounter.bootOf(highestOwn) + 1;
            long first = BootCounter.firstRequestId(boot);
            if (sequence.get() < first) {
                BootCounter.raise(metadata, boot);
                sequence.accumulateAndGet(first, Math::max);
            }
        }
        open.set(group, 1);
        for (int g = 0; g < open.length(); g++) if (open.get(g) == 0) return;
        metadata.put(KEY, new byte[] {1});
    }
}
