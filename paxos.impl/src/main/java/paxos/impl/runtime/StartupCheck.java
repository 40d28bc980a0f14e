package paxos.impl.runtime;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import paxos.api.spi.log.LogRange;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.Early;

/**
 * Checks, when a group starts, that its log and its state machines' files belong together; a
 * mismatch fails that group with a message naming what is wrong instead of letting it join the
 * cluster silently with foreign or impossible state.
 */
final class StartupCheck {
    /** Log metadata key holding {@code clusterId/nodeId}, written at the group's first start. */
    static final String OWNER_KEY = "owner";

    private StartupCheck() {}

    /**
     * Records the owner at first start; afterwards returns why the log is not this node's, or
     * {@code null} if it is.
     */
    static String owner(LogStore store, int group, String clusterId, int nodeId) {
        String me = clusterId + "/" + nodeId;
        Optional<byte[]> stored = store.meta(group, OWNER_KEY);
        if (stored.isEmpty()) {
            store.append(List.of(new LogRecord.Meta(group, OWNER_KEY, me.getBytes(StandardCharsets.UTF_8))))
                    .toCompletableFuture().join();
            return null;
        }
        String owner = new String(stored.get(), StandardCharsets.UTF_8);
        if (owner.equals(me)) return null;
        return "the log of group " + group + " belongs to cluster/node " + owner + ", but this node is " + me
                + ": its data directory was copied from another node or cluster";
    }

    /**
     * Why a state machine's reported position cannot be right, or {@code null}: a position beyond
     * both the last instance of the local log and the last position recorded here (a checkpoint
     * installed here records its position) means the files are not this node's — unless it is
     * within {@link Early#APPLY_AHEAD_MAX} of a log that holds something: chosen values go to
     * execution before this node's own records of them are durable ({@link Early#applyEarly}), so
     * a crash may leave a state machine that far ahead; the group learns the rest from its peers.
     * An empty log (lost, or never written) allows no such slack.
     */
    static String positions(int group, Map<Integer, StateMachine> machines, ExecMeta meta, LogRange range) {
        for (Map.Entry<Integer, StateMachine> e : machines.entrySet()) {
            long position = e.getValue().checkpointInstance(group);
            Long known = meta.positions().get(e.getKey());
            long logLast = range.end() - 1;
            if (position > allowedPosition(logLast, known, range.end() > 0))
                return aheadMessage(group, e.getKey(), position, logLast, known);
        }
        return null;
    }

    /**
     * The highest position a state machine may report: the larger of what this node holds
     * ({@code last}: the log's last instance, or what it executed) and the position recorded here,
     * plus {@link Early#APPLY_AHEAD_MAX} if {@code logHoldsSomething}.
     */
    static long allowedPosition(long last, Long known, boolean logHoldsSomething) {
        long base = Math.max(last, known == null ? -1 : known);
        return logHoldsSomething ? base + Early.APPLY_AHEAD_MAX : base;
    }

    static String aheadMessage(int group, int id, long position, long last, Long known) {
        return "state machine " + id + " of group " + group + " reports checkpoint instance " + position
                + ", beyond this node's log (last instance " + last + ") and its last recorded position ("
                + (known == null ? "none" : known) + ") by more than a crash can explain: its data directory comes from another node or cluster, "
                + "or this node's log was lost; restore the matching log or remove the state machine's data to catch up";
    }
}
