package paxos.testkit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A linearizability checker for key-value histories (Wing–Gong search with Lowe's memoization, as
 * in Porcupine), partitioned per key: a KV store is linearizable iff each key, a register, is.
 *
 * <p>An operation is a write of a value or a read that returned a value ({@code null}: absent),
 * with the times its call started and its answer arrived. An operation whose outcome is unknown
 * (timeout, crash of the node) completes at {@link Long#MAX_VALUE}: it may take effect at any time
 * after its call, or never. Operations known to have had no effect (e.g. refused with
 * {@code MasterChangedException}) must be left out by the caller. Two operations are ordered iff
 * one's answer arrived strictly before the other's call.
 *
 * <p>Used by the simulator's KV tests and the multi-process IT; stateless, any thread. Each key's
 * search is bounded by {@link #STATES_MAX} states: beyond it the verdict is {@link Verdict#GAVE_UP}.
 */
public final class Linearizability {
    /** One operation of the history. */
    public record Op(int client, String key, boolean write, String value, long calledAt, long returnedAt) {
        public Op {
            Objects.requireNonNull(key, "key");
            if (returnedAt < calledAt) throw new IllegalArgumentException("returned before called: " + calledAt + " > " + returnedAt);
        }

        public static Op write(int client, String key, String value, long calledAt, long returnedAt) {
            return new Op(client, key, true, value, calledAt, returnedAt);
        }

        public static Op read(int client, String key, String result, long calledAt, long returnedAt) {
            return new Op(client, key, false, result, calledAt, returnedAt);
        }

        public boolean completed() {
            return returnedAt != Long.MAX_VALUE;
        }
    }

    /** The verdict; {@code key} and {@code ops} name the first key that is not linearizable. */
    public record Result(Verdict verdict, String key, List<Op> ops) {
        public boolean ok() {
            return verdict == Verdict.LINEARIZABLE;
        }
    }

    public enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, GAVE_UP }

    /** Search states visited per key before giving up (bounds time and memory). */
    public static final int STATES_MAX = 2_000_000;

    private Linearizability() {}

    /** Checks {@code history} key by key; the first key that is not linearizable decides. */
    public static Result check(List<Op> history) {
        Map<String, List<Op>> perKey = new LinkedHashMap<>();
        for (Op op : history) perKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        for (Map.Entry<String, List<Op>> e : perKey.entrySet()) {
            Verdict v = new Search(e.getValue()).run();
            if (v != Verdict.LINEARIZABLE) return new Result(v, e.getKey(), e.getValue());
        }
        return new Result(Verdict.LINEARIZABLE, null, List.of());
    }

    /** Depth-first search over linearization orders of one register's operations. */
    private static final class Search {
        private final Op[] ops;
        private final int completedCount;
        private final Set<CacheKey> seen = new HashSet<>();

        private record CacheKey(BitSet done, String state) {}

        Search(List<Op> list) {
            // pending reads constrain nothing (their answer was never seen): drop them
            List<Op> kept = new ArrayList<>();
            for (Op op : list) if (op.write() || op.completed()) kept.add(op);
            kept.sort(Comparator.comparingLong(Op::calledAt));
            ops = kept.toArray(new Op[0]);
            int completed = 0;
            for (Op op : ops) if (op.completed()) completed++;
            completedCount = completed;
        }

        Verdict run() {
            try {
                return dfs(new BitSet(ops.length), null, 0) ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE;
            } catch (GaveUp e) {
                return Verdict.GAVE_UP;
            }
        }

        private boolean dfs(BitSet done, String state, int completedDone) {
            if (completedDone == completedCount) return true;
            if (!seen.add(new CacheKey((BitSet) done.clone(), state))) return false;
            if (seen.size() > STATES_MAX) throw new GaveUp();
            long minReturn = Long.MAX_VALUE;
            for (int i = done.nextClearBit(0); i < ops.length; i = done.nextClearBit(i + 1))
                minReturn = Math.min(minReturn, ops[i].returnedAt());
            for (int i = done.nextClearBit(0); i < ops.length; i = done.nextClearBit(i + 1)) {
                Op op = ops[i];
                if (op.calledAt() > minReturn) break; // sorted by call: every later one is preceded too
                String next;
                if (op.write()) next = op.value();
                else if (Objects.equals(op.value(), state)) next = state;
                else continue;
                done.set(i);
                boolean found = dfs(done, next, completedDone + (op.completed() ? 1 : 0));
                done.clear(i);
                if (found) return true;
            }
            return false;
        }
    }

    private static final class GaveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GaveUp() {
            super(null, null, false, false);
        }
    }
}
