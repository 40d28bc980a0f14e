package paxos.impl.core;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/**
 * A membership change as chosen in a group's log: a system command (state machine {@code 0}, type
 * byte {@value #TYPE}) that carries the whole membership it leads to and the version of the
 * membership it was computed from. Carrying the result (not only the delta) lets a node that never
 * saw the bootstrap configuration (one that joined, or installed a checkpoint) follow the log
 * exactly; the expected version makes the execution rule a compare-and-set (see
 * {@link ConfigTracker#decide}).
 *
 * <p>Format (big endian): type byte, expected version (long), member count (short), then per member:
 * node ID (unsigned short), role byte (0 voter, 1 follower), port (unsigned short), host length
 * (unsigned short) and UTF-8 bytes, incarnation length (byte, 0: none) and ASCII bytes.
 *
 * @param expectedVersion the {@link Membership#configVersion()} the change was computed from
 * @param members the membership it leads to (validated: at least one voter, no duplicates)
 */
public record MembershipCommand(long expectedVersion, List<Member> members) {
    /** Type byte of this command among the engine's system commands (next to {@code SystemCommand}'s). */
    public static final byte TYPE = 5;
    /** Most members one command may carry (a bound against hostile input). */
    public static final int MEMBERS_MAX = 1024;

    /** Validates; defensive copy. */
    public MembershipCommand {
        members = List.copyOf(members);
        if (expectedVersion < 0) throw new IllegalArgumentException("expectedVersion must be >= 0: " + expectedVersion);
        if (members.size() > MEMBERS_MAX) throw new IllegalArgumentException("more than " + MEMBERS_MAX + " members");
        new Membership(0, members); // rejects duplicate node IDs
        if (members.stream().noneMatch(m -> m.role() == MemberRole.VOTER))
            throw new IllegalArgumentException("a membership needs at least one voter");
    }

    /** Encodes the command as a state-machine-0 value. */
    public byte[] encode() {
        List<byte[]> hosts = new ArrayList<>();
        int bytes = 1 + 8 + 2;
        for (Member m : members) {
            byte[] h = m.host().getBytes(StandardCharsets.UTF_8);
            hosts.add(h);
            bytes += 2 + 1 + 2 + 2 + h.length + 1 + (m.incarnation() == null ? 0 : m.incarnation().length());
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).put(TYPE).putLong(expectedVersion).putShort((short) members.size());
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            byte[] h = hosts.get(i);
            b.putShort((short) m.nodeId()).put((byte) (m.role() == MemberRole.VOTER ? 0 : 1)).putShort((short) m.port())
                    .putShort((short) h.length).put(h);
            String inc = m.incarnation();
            b.put((byte) (inc == null ? 0 : inc.length()));
            if (inc != null) b.put(inc.getBytes(StandardCharsets.US_ASCII));
        }
        return b.array();
    }

    /** True if {@code value} (a state-machine-0 command) is of this type; cheap, no decoding. */
    public static boolean isOne(byte[] value) {
        return value.length > 0 && value[0] == TYPE;
    }

    /** Decodes; {@code null} if the bytes are not a valid membership command (executed as a no-op). */
    public static MembershipCommand decode(byte[] value) {
        try {
            ByteBuffer b = ByteBuffer.wrap(value);
            if (b.get() != TYPE) return null;
            long expected = b.getLong();
            int count = Short.toUnsignedInt(b.getShort());
            if (count > MEMBERS_MAX) return null;
            List<Member> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int node = Short.toUnsignedInt(b.getShort());
                byte role = b.get();
                int port = Short.toUnsignedInt(b.getShort());
                byte[] h = new byte[Short.toUnsignedInt(b.getShort())];
                b.get(h);
                byte[] inc = new byte[Byte.toUnsignedInt(b.get())];
                b.get(inc);
                if (role != 0 && role != 1) return null;
                members.add(new Member(node, new String(h, StandardCharsets.UTF_8), port,
                        role == 0 ? MemberRole.VOTER : MemberRole.FOLLOWER,
                        inc.length == 0 ? null : new String(inc, StandardCharsets.US_ASCII)));
            }
            return b.hasRemaining() ? null : new MembershipCommand(expected, members);
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            return null;
        }
    }
}
