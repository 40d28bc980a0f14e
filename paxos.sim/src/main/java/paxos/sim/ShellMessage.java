package paxos.sim;

/**
 * What the simulated runtimes say to each other outside the core's protocol, for checkpoint
 * catch-up (the runtime's {@code CheckpointWire} in production). Carried by {@link SimNetwork} with
 * the same delays, loss and partitions as core messages.
 */
sealed interface ShellMessage {
    int from();

    int to();

    /** The sender's log no longer holds the instance asked for: it starts at {@code minRetained}. */
    record Compacted(int from, int to, int group, long minRetained) implements ShellMessage {}

    /** Asks for a checkpoint covering at least {@code need - 1}. */
    record CheckpointRequest(int from, int to, int group, long need) implements ShellMessage {}

    /** The checkpoint: the sender's state machine state at its executed position. */
    record CheckpointData(int from, int to, SimCheckpoint checkpoint, byte[] membership) implements ShellMessage {}
}
