package paxos.impl.exec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The engine's own commands (state machine ID {@code 0}), executed by {@link GroupExecutor}
 * itself. Format: type byte, then the fields big endian.
 */
public sealed interface SystemCommand {
    /** Type byte of {@link MasterClaim}. */
    byte MASTER_CLAIM = 1;
    /** Type byte of {@link Barrier}. */
    byte BARRIER = 2;

    /** Encodes the command as a state-machine-0 value. */
    byte[] encode();

    /**
     * {@code node} claims mastership; it succeeds iff {@code expectedVersion} is the master version
     * in force at the claim's log position. The new version is the claim's instance ID.
     */
    record MasterClaim(int node, long expectedVersion, long leaseMillis) implements SystemCommand {
        public MasterClaim {
            if (node < 1 || node > 0xFFFF) throw new IllegalArgumentException("node must be in 1..65535: " + node);
            if (expectedVersion < -1) throw new IllegalArgumentException("expectedVersion must be >= -1: " + expectedVersion);
            if (leaseMillis < 0) throw new IllegalArgumentException("leaseMillis must be >= 0: " + leaseMillis);
        }

        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(1 + 4 + 8 + 8).put(MASTER_CLAIM).putInt(node).putLong(expectedVersion)
                    .putLong(leaseMillis).array();
        }
    }

    /**
     * Changes nothing; its proposer learns the instance it executed at. A linearizable read
     * barrier: once it executed here, every write acknowledged before it was proposed has executed
     * here too (it was chosen at a lower instance).
     */
    record Barrier() implements SystemCommand {
        @Override
        public byte[] encode() {
            return new byte[] {BARRIER};
        }
    }

    /** Decodes a system command; {@code null} if the bytes are not one (executed as a no-op). */
    static SystemCommand decode(byte[] bytes) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte type = buf.get();
            if (type == BARRIER) return buf.hasRemaining() ? null : new Barrier();
            if (type != MASTER_CLAIM) return null;
            SystemCommand c = new MasterClaim(buf.getInt(), buf.getLong(), buf.getLong());
            return buf.hasRemaining() ? null : c;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }
}
