package paxos.transport.netty.internal;

import java.util.ArrayDeque;

/**
 * The bounded queue of messages waiting for one peer. When a bound (messages or bytes) would be
 * exceeded the OLDEST messages are dropped: Paxos retransmits what matters, and the newest
 * messages carry the freshest state, so the heap stays bounded without ever blocking a sender.
 * Thread-safe (a monitor; senders and the peer's event loop are the only users).
 */
public final class OutboundQueue {
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
    public synchronized int offer(int group, byte[] message) {
        long size = sizeOf(message);
        int dropped = 0;
        while (!queue.isEmpty() && (queue.size() >= messagesMax || bytes + size > bytesMax)) {
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
