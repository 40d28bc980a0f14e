package paxos.impl.runtime;

/**
 * One checkpoint transfer as seen by this node, for status pages: the one in progress or the
 * last one's outcome. Immutable snapshot.
 *
 * @param group the group
 * @param direction {@code "receive"} or {@code "send"}
 * @param peer the other node ({@code 0} when the transfer could not start: see {@code detail})
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
 * @param outcome {@code null} while running, else how it ended
 * @param detail why it failed ({@code null} while running or when it succeeded)
 */
public record TransferStatus(int group, String direction, int peer, long transferId, String phase, long bytes,
                             long bytesTotal, int files, int filesTotal, long bytesPerSecond, long instance,
                             long startedMillis, long endedMillis, TransferOutcome outcome, String detail) {

    /** The outcome for one line of text: {@code -} while running, the name, then {@code ": detail"} if any. */
    public String describeOutcome() {
        if (outcome == null) return "-";
        return detail == null ? outcome.name() : outcome.name() + ": " + detail;
    }
}
