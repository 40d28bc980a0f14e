package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import paxos.testkit.Linearizability;
import paxos.testkit.Linearizability.Op;
import paxos.testkit.Linearizability.Verdict;

/** The checker accepts linearizable histories and rejects known non-linearizable ones. */
class LinearizabilityTest {
    private static final long UNKNOWN = Long.MAX_VALUE;

    private static boolean ok(Op... ops) {
        return Linearizability.check(List.of(ops)).ok();
    }

    @Test
    void sequentialWriteThenReadIsLinearizable() {
        assertTrue(ok(Op.write(1, "k", "a", 0, 1), Op.read(2, "k", "a", 2, 3)));
    }

    @Test
    void readMissingAnAcknowledgedWriteIsRejected() {
        assertFalse(ok(Op.write(1, "k", "a", 0, 1), Op.read(2, "k", null, 2, 3)), "stale read");
    }

    @Test
    void readConcurrentWithAWriteMaySeeEitherValue() {
        assertTrue(ok(Op.write(1, "k", "a", 0, 1), Op.write(1, "k", "b", 2, 10), Op.read(2, "k", "a", 3, 4)));
        assertTrue(ok(Op.write(1, "k", "a", 0, 1), Op.write(1, "k", "b", 2, 10), Op.read(2, "k", "b", 3, 4)));
    }

    @Test
    void aNewValueFollowedByTheOldOneIsRejected() {
        assertFalse(ok(Op.write(1, "k", "a", 0, 1), Op.write(1, "k", "b", 2, 20),
                Op.read(2, "k", "b", 3, 4), Op.read(3, "k", "a", 5, 6)));
    }

    @Test
    void aWriteWithUnknownOutcomeMayTakeEffectLateOrNever() {
        assertTrue(ok(Op.write(1, "k", "a", 0, UNKNOWN), Op.read(2, "k", null, 1, 2), Op.read(2, "k", "a", 30, 31)));
        assertTrue(ok(Op.write(1, "k", "a", 0, UNKNOWN), Op.read(2, "k", null, 30, 31)));
        assertFalse(ok(Op.write(1, "k", "a", 5, UNKNOWN), Op.read(2, "k", "a", 1, 2)), "read before the call");
    }

    @Test
    void aValueNobodyWroteIsRejected() {
        assertFalse(ok(Op.read(1, "k", "ghost", 0, 1)));
    }

    @Test
    void keysAreCheckedIndependently() {
        Linearizability.Result r = Linearizability.check(List.of(Op.write(1, "a", "1", 0, 1), Op.read(1, "a", "1", 2, 3),
                Op.write(1, "b", "1", 0, 1), Op.read(1, "b", null, 2, 3)));
        assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict());
        assertEquals("b", r.key());
    }

    /** Against a naive checker that tries every permutation, on 3,000 random small histories. */
    @Test
    void agreesWithBruteForceOnRandomSmallHistories() {
        int rejected = 0;
        for (long seed = 1; seed <= 3_000; seed++) {
            List<Op> h = randomHistory(new SplittableRandom(seed));
            boolean expected = bruteForce(h);
            assertEquals(expected, Linearizability.check(h).ok(), "seed " + seed + ": " + h);
            if (!expected) rejected++;
        }
        assertTrue(rejected > 300, "the generator also makes non-linearizable histories: " + rejected);
    }

    private static List<Op> randomHistory(SplittableRandom random) {
        List<Op> h = new ArrayList<>();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
            long call = random.nextInt(20);
            long ret = random.nextInt(8) == 0 ? UNKNOWN : call + random.nextInt(10);
            String v = random.nextInt(4) == 0 ? null : String.valueOf(random.nextInt(3));
            h.add(random.nextBoolean() && v != null ? Op.write(i, "k", v, call, ret) : Op.read(i, "k", v, call, ret));
        }
        return h;
    }

    private static boolean bruteForce(List<Op> h) {
        return permute(new ArrayList<>(h), new ArrayList<>());
    }

    /** Tries every order of every subset that contains all completed ops. */
    private static boolean permute(List<Op> left, List<Op> order) {
        if (left.stream().allMatch(o -> !o.completed()) && legal(order)) return true;
        for (int i = 0; i < left.size(); i++) {
            Op op = left.remove(i);
            order.add(op);
            if (respectsRealTime(order, left) && permute(left, order)) return true;
            order.remove(order.size() - 1);
            left.add(i, op);
        }
        return false;
    }

    /** The last op placed may not follow an op that is left and returned before it was called. */
    private static boolean respectsRealTime(List<Op> order, List<Op> left) {
        Op last = order.get(order.size() - 1);
        for (Op o : left) if (o.returnedAt() < last.calledAt()) return false;
        return true;
    }

    private static boolean legal(List<Op> order) {
        String state = null;
        for (Op op : order) {
            if (op.write()) state = op.value();
            else if (!Objects.equals(op.value(), state)) return false;
        }
        return true;
    }
}
