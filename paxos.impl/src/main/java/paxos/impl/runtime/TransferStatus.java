package paxos.impl.runtime;

/**
 * One checkpoint transfer as seen by this node, for status pages: the one in progress or the
 * last one's outcome. Immutable snapshot.
 *
 * @param group the group
 * @param direction {@code "receive"} or {@code "send"}
 * @param peer the other node
 * @param transferId the transfer's ID (chosen by the receiver)
 * @param phase {@code requesting, receiving, installing, sending, done, failed}
 * @param bytes bytes moved so far
 * @param bytesTotal bytes announced ({@code 0} until known)
 * @param files files completed so far
 * @param filesTotal files announced ({@code 0} until known)
 * @param bytesPerSecond mean rate since the bytes began to flow (after the sender locked its checkpoint)
 * @param instance the checkpoint position (lowest of its state machines), {@code -1} until known
 * @param startedMillis wall-clock start ({@code System.currentTimeMillis()})
 * @param endedMillis wall-clock end, {@code 0} while running
 * @param outcome {@code null} while running; {@code "installed"}, {@code "sent"} or why it failed
 */
public record TransferStatus(int group, String direction, int peer, long transferId, String phase, long bytes,
                             long bytesTotal, int files, int filesTotal, long bytesPerSecond, long instance,
                             long startedMillis, long endedMillis, String outcome) {}
