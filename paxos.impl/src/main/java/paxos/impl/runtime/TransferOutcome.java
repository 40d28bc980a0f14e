package paxos.impl.runtime;

/**
 * How a checkpoint transfer ended, on either side. Status pages and the status JSON show the
 * constant's {@link #name()}; the detail (why it failed) travels separately in
 * {@link TransferStatus#detail()}.
 *
 * <p>Which side reports what: a receiver ends {@link #INSTALLED} or with a failure; a sender
 * ends {@link #SENT} (every chunk handed to the transport and the end announced; the receiver
 * acknowledges chunks, not the install) or with a failure. A failure is followed by a retry
 * after a back-off (receiver) or by the receiver asking again (sender).
 */
public enum TransferOutcome {
    /** Receiver: the checkpoint was installed and the group resumed from it. */
    INSTALLED,
    /** Sender: the whole checkpoint was sent. */
    SENT,
    /** The other side stopped the transfer (it failed, was busy, or gave up) and said so. */
    PEER_ABORTED,
    /** The other side could not be reached: the transport would not take a message until the idle timeout. */
    PEER_GONE,
    /** No progress from the other side for the idle timeout. */
    TIMED_OUT,
    /** The data failed a checksum, or messages arrived out of order or incomplete. */
    CORRUPT,
    /** A state machine cannot make or install checkpoints, or the two sides run different state machines. */
    UNSUPPORTED,
    /** This node stopped the transfer: it is closing, or a newer transfer of the same receiver replaced it. */
    CANCELLED,
    /** A local error: locking, reading or writing files, installing, or restarting the state machines. */
    FAILED;

    /** True for the two successful outcomes ({@link #INSTALLED}, {@link #SENT}). */
    public boolean succeeded() {
        return this == INSTALLED || this == SENT;
    }
}
