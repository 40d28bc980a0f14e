package paxos.impl.core;

import java.util.Objects;

/**
 * One command inside an instance's batch value.
 *
 * @param stateMachineId {@code 0} for the engine's system commands, else {@code 1..65535}
 * @param masterVersion the master version the command is conditional on, or
 *     {@link paxos.api.Proposal#NO_MASTER_CONDITION}
 * @param proposerNode the node whose caller waits for the result ({@code 1..65535})
 * @param requestId unique per proposing node and group, across restarts of that node (the runtime
 *     chooses it; the proposing node matches executed commands to its callers with it)
 * @param value the command bytes; shared, never modified
 */
public record BatchCommand(int stateMachineId, long masterVersion, int proposerNode, long requestId, byte[] value) {
    /** Validates ranges. */
    public BatchCommand {
        Objects.requireNonNull(value, "value");
        if (stateMachineId < 0 || stateMachineId > 0xFFFF)
            throw new IllegalArgumentException("stateMachineId must be in 0..65535: " + stateMachineId);
        if (masterVersion < -1) throw new IllegalArgumentException("masterVersion must be >= -1: " + masterVersion);
        if (proposerNode < 1 || proposerNode > 0xFFFF)
            throw new IllegalArgumentException("proposerNode must be in 1..65535: " + proposerNode);
    }

    /** Encoded size of this command inside a batch, in bytes. */
    public int encodedBytes() {
        return BatchCodec.COMMAND_OVERHEAD_BYTES + value.length;
    }
}
