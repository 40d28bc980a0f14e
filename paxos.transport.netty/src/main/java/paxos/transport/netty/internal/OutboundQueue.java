package paxos.transport.netty.internal;

import java.util.ArrayDeque;

/**
 * The bounded queue of messages waiting for one peer. When a bound (messages or bytes) would be
 * exceeded the OLDEST messages are dropped: Paxos retransmits what matters, and the newest
 * messages carry the freshest state, so the heap stays bounded without ever blocking a sender.
 * Thread-safe (a monitor; senders and the peer's event loop are the only users).
 *
 * <p>While the peer is unreachable the bounds are far smaller ({@link #UNREACHABLE_MESSAGES_MAX},
 * {@link #UNREACHABLE_BYTES_MAX}): a peer that was down for minutes catches up from the log, in
 * paced requests, and a reconnect that hands it tens of MiB of stale accepts at once only floods
 * its store's write queue (measured with {@code ./paxos bench catchup}: from 64 MB behind, a
 * restarted node's group failed with "write queue full").
 */
public final class OutboundQueue {
    /** Messages kept for a peer while it is unreachable (the configured bound if lower). */
    public static final int UNREACHABLE_MESSAGES_MAX = 1024;
    /** Bytes kept for a peer while it is unreachable (the configured bound if lower); one message of any size always fits. */
    public static final long UNREACHABLE_BYTES_MAX = 4L << 20;

    /** One queued message. */
    public record Queued(int group, byte[] message) {}

    private final int messagesMax;
    private final long bytesMax;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long bytes;

    /** @param bytesMax must be at least the largest message plus {@link Frame#OVERHEAD_BYTES} */
    public OutboundQueue(int messagesMax, long bytesMax) {
        this.messagesMax = messagesMax;
        this.bytesMax = bytesMax;
    }

    /**
     * Appends one message, first dropping the oldest until it fits.
     *
     * @return how many old messages were dropped to make room
     */
    public int offer(int group, byte[] message) {
        return offer(group, message, true);
    }

    /**
     * Appends one message, first dropping the oldest until it fits the bounds for a peer that is
     * {@code reachable} (connected and authenticated) or not.
     *
     * @return how many old messages were dropped to make room
     */
    public synchronized int offer(int group, byte[] message, boolean reachable) {
        int countMax = reachable ? messagesMax : Math.min(messagesMax, UNREACHABLE_MESSAGES_MAX);
        long bytesBound = reachable ? bytesMax : Math.min(bytesMax, UNREACHABLE_BYTES_MAX);
        long size = sizeOf(message);
        int dropped = 0;
        while (!queue.isEmpty() && (queue.size() >= countMax || bytes + size > bytesBound)) {
            bytes -= sizeOf(queue.pollFirst().message());
            dropped++;
        }
        queue.addLast(new Queued(group, message));
        bytes += size;
        return dropped;
    }

    /** The oldest message, or null if empty. */
    public synchronized Queued poll() {
        Queued head = queue.pollFirst();
        if (head != null) bytes -= sizeOf(head.message());
        return head;
    }

    public synchronized int size() {
        return queue.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    /** Empties the queue. @return how many messages it held */
    public synchronized int clear() {
        int n = queue.size();
        queue.clear();
        bytes = 0;
        return n;
    }

    /** A message's share of the byte bound: what it will occupy on the wire. */
    private static long sizeOf(byte[] message) {
        return (long) message.length + Frame.OVERHEAD_BYTES;
    }
}
