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
    /** Type byte of {@link ActivateVersion}. */
    byte ACTIVATE_VERSION = 4;

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

    /**
     * Puts {@code version} of state machine {@code stateMachineId} in force in the group whose log
     * holds it, decided at its log position as a compare-and-set (see {@link GroupExecutor}):
     * it succeeds iff {@code expected} is {@link #ANY}, or equals the version in force there
     * ({@link #NONE} when no version was ever activated for that ID). From the next instance on,
     * every replica executes that ID only with a registration of exactly that version (one that
     * lacks it waits). Its proposer learns the version in force after it (the loser of a race
     * learns the winner's).
     *
     * @param version {@code 1..64} characters of {@code [0-9A-Za-z._+-]}
     * @param expected the version the proposer saw in force, {@link #NONE} or {@link #ANY}
     */
    record ActivateVersion(int stateMachineId, String version, String expected) implements SystemCommand {
        /** {@code expected}: no version in force yet (the automatic first activation). */
        public static final String NONE = "";
        /** {@code expected}: unconditional (an operator's activation). */
        public static final String ANY = "*";

        public ActivateVersion {
            if (stateMachineId < 1 || stateMachineId > 0xFFFF)
                throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
            checkVersion(version);
            if (!expected.equals(NONE) && !expected.equals(ANY)) checkVersion(expected);
        }

        /** @throws IllegalArgumentException if {@code v} is not a valid version label */
        public static String checkVersion(String v) {
            if (v == null || v.isEmpty() || v.length() > 64 || !v.matches("[0-9A-Za-z._+-]+"))
                throw new IllegalArgumentException("a state machine version is 1..64 characters of [0-9A-Za-z._+-]: " + v);
            return v;
        }

        @Override
        public byte[] encode() {
            byte[] v = version.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] e = expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return ByteBuffer.allocate(1 + 4 + 1 + v.length + 1 + e.length).put(ACTIVATE_VERSION).putInt(stateMachineId)
                    .put((byte) v.length).put(v).put((byte) e.length).put(e).array();
        }

        static ActivateVersion decode(ByteBuffer buf) {
            int id = buf.getInt();
            byte[] v = new byte[buf.get()];
            buf.get(v);
            byte[] e = new byte[buf.get()];
            buf.get(e);
            return new ActivateVersion(id, new String(v, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(e, java.nio.charset.StandardCharsets.US_ASCII));
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
            else if (type == ACTIVATE_VERSION) c = ActivateVersion.decode(buf);
            else return null;
            return buf.hasRemaining() ? null : c;
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            return null;
        }
    }
}
