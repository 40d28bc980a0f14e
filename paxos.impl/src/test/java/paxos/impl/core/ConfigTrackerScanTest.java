package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/**
 * The cheap paths of {@link ConfigTracker}: its in-place walk of a batch finds what a buffer walk
 * finds (also on damaged bytes), and {@link ConfigTracker#from} hands out the same list until the
 * instance leaves its membership's span or a change is decided.
 */
class ConfigTrackerScanTest {
    private static final int D = ConfigTracker.ACTIVATION_DELAY;

    private static List<Member> voters(int... ids) {
        return java.util.Arrays.stream(ids).mapToObj(id -> new Member(id, "127.0.0.1", 7000 + id, MemberRole.VOTER)).toList();
    }

    /** The walk as written over a ByteBuffer (the tracker's before it walked the array in place). */
    private static List<MembershipCommand> bufferWalk(byte[] batch, int commandsMax) {
        List<MembershipCommand> out = new ArrayList<>();
        try {
            ByteBuffer b = ByteBuffer.wrap(batch);
            b.get();
            int count = b.getInt();
            if (count < 0 || count > commandsMax) return out;
            for (int k = 0; k < count; k++) {
                int sm = Short.toUnsignedInt(b.getShort());
                b.position(b.position() + 8 + 2 + 8);
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) return out;
                if (sm == 0 && length > 0 && b.get(b.position()) == MembershipCommand.TYPE) {
                    byte[] v = new byte[length];
                    b.get(b.position(), v);
                    MembershipCommand c = MembershipCommand.decode(v);
                    if (c != null) out.add(c);
                }
                b.position(b.position() + length);
            }
        } catch (RuntimeException e) {
            // as the tracker: what was found before the damage
        }
        return out;
    }

    @Test
    void theInPlaceWalkFindsWhatABufferWalkFinds() {
        Random r = new Random(7);
        for (int round = 0; round < 3000; round++) {
            List<BatchCommand> commands = new ArrayList<>();
            for (int k = r.nextInt(6); k > 0; k--) {
                byte[] value = switch (r.nextInt(4)) {
                    case 0 -> new MembershipCommand(r.nextInt(3), voters(1, 2, 3 + r.nextInt(3))).encode();
                    case 1 -> new byte[] {MembershipCommand.TYPE, 1, 2}; // looks like one, is not
                    default -> new byte[r.nextInt(40)];
                };
                commands.add(new BatchCommand(r.nextInt(3) == 0 ? 1 : 0, -1, 1 + r.nextInt(3), r.nextInt(1000), value));
            }
            byte[] batch = BatchCodec.encode(commands);
            if (round % 3 == 1) batch = java.util.Arrays.copyOf(batch, r.nextInt(batch.length + 1)); // truncated
            if (round % 3 == 2 && batch.length > 0) batch[r.nextInt(batch.length)] = (byte) r.nextInt(256); // damaged
            int max = r.nextInt(8);
            assertEquals(bufferWalk(batch, max), ConfigTracker.commandsIn(batch, max), "round " + round);
        }
    }

    @Test
    void fromKeepsItsListWithinASpanAndMovesOnAChange() {
        ConfigTracker t = ConfigTracker.bootstrap(new Membership(0, voters(1, 2, 3)), 0);
        List<Membership> first = t.from(5);
        long version = t.fromVersion();
        assertSame(first, t.from(6));
        assertSame(first, t.from(1000));
        assertEquals(version, t.fromVersion());

        t.decide(10, new MembershipCommand(0, voters(1, 2, 3, 4)));
        List<Membership> pending = t.from(11);
        assertNotEquals(version, t.fromVersion());
        assertEquals(2, pending.size(), "in force and pending");
        assertSame(pending, t.from(10 + D - 1));
        List<Membership> after = t.from(10 + D);
        assertEquals(List.of(t.at(10 + D)), after);
        assertEquals(4, after.get(0).members().size());
        assertEquals(List.of(t.at(0), t.at(10 + D)), t.from(0));

        // against the definition, at every instance around the boundary
        TreeMap<Long, Membership> h = new TreeMap<>(t.history());
        for (long i = 0; i < 10 + 2 * D; i++) {
            List<Membership> expected = new ArrayList<>();
            expected.add(t.at(i));
            expected.addAll(h.tailMap(i, false).values());
            assertEquals(expected, t.from(i), "instance " + i);
        }
    }
}
