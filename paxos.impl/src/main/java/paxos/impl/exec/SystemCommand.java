package paxos.impl.exec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The engine's own commands (state machine ID {@code 0}), executed by {@link GroupExecutor}
 * itself. Format: type byte, then the fields big endian. Unknown types execute as no-ops (the
 * runtime's read barrier is one).
 */
public sealed interface SystemCommand {
    /** Type byte of the first {@link MasterClaim} format (no lease entry; read as {@code expectedEntry = expectedVersion}). */
    byte MASTER_CLAIM_V1 = 1;
    /** Type byte of {@link MasterClaim}. */
    byte MASTER_CLAIM = 3;
    /** Type byte of {@link Barrier}. */
    byte BARRIER = 2;

    /** Encodes the command as a state-machine-0 value. */
    byte[] encode();

    /**
     * {@code node} claims (or renews) mastership. Decided at the claim's log position against the
     * master in force there, a pure function of the log (see {@link GroupExecutor}):
     * <ol>
     *   <li>{@code expectedVersion} differs from the version in force: refused
     *       ({@link paxos.api.MasterChangedException}).</li>
     *   <li>{@code node} is the master in force: a <em>renewal</em>. The version stays; the lease
     *       restarts (new {@code leaseMillis}, lease entry = this instance).</li>
     *   <li>otherwise a <em>takeover</em>: it succeeds iff {@code expectedEntry} is the lease entry
     *       in force (the claimer saw the latest claim or renewal lapse, not an older one); the new
     *       version and lease entry are this instance. If not, the claim is lost: the proposer learns
     *       the master in force.</li>
     * </ol>
     *
     * @param expectedEntry the instance of the latest master claim or renewal the claimer executed
     *     ({@code -1} if none)
     */
    record MasterClaim(int node, long expectedVersion, long leaseMillis, long expectedEntry) implements SystemCommand {
        public MasterClaim {
            if (node < 1 || node > 0xFFFF) throw new IllegalArgumentException("node must be in 1..65535: " + node);
            if (expectedVersion < -1) throw new IllegalArgumentException("expectedVersion must be >= -1: " + expectedVersion);
            if (leaseMillis < 0) throw new IllegalArgumentException("leaseMillis must be >= 0: " + leaseMillis);
            if (expectedEntry < expectedVersion)
                throw new IllegalArgumentException("expectedEntry must be >= expectedVersion: " + expectedEntry + " < " + expectedVersion);
        }

        /** A claim whose claimer saw no renewal of {@code expectedVersion} (lease entry = version). */
        public MasterClaim(int node, long expectedVersion, long leaseMillis) {
            this(node, expectedVersion, leaseMillis, expectedVersion);
        }

        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(1 + 4 + 8 + 8 + 8).put(MASTER_CLAIM).putInt(node).putLong(expectedVersion)
                    .putLong(leaseMillis).putLong(expectedEntry).array();
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
            SystemCommand c;
            if (type == MASTER_CLAIM_V1) c = new MasterClaim(buf.getInt(), buf.getLong(), buf.getLong());
            else if (type == MASTER_CLAIM) c = new MasterClaim(buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong());
            else return null;
            return buf.hasRemaining() ? null : c;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }
}
