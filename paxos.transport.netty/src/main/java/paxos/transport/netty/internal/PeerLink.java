package paxos.transport.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;

/**
 * This node's one-way outbound connection to one peer: the bounded queue, the dialing with
 * backoff, and the draining. Messages are written only after the handshake completed, many
 * per event-loop pass and flushed once ({@link #drain}); while the socket is not writable they
 * stay in the bounded queue instead of growing Netty's outbound buffer.
 *
 * <p>Threads: {@link #enqueue} from any thread; everything else on Netty threads.
 */
public final class PeerLink {
    /** Messages written per event-loop pass before yielding to other channels of the loop. */
    static final int DRAIN_BATCH_MAX = 1024;
    /** An idle authenticated connection carries a keepalive this often (half the SPI's bound). */
    static final long KEEPALIVE_MILLIS = Transport.KEEPALIVE_MILLIS_MAX / 2;

    private final int peerId;
    private final String host;
    private final int port;
    private final InetSocketAddress localAddress;
    private final OutboundQueue queue;
    private final Backoff backoff;
    private final RateLimitedLog log;
    private final Traffic traffic;
    private final SplittableRandom random = new SplittableRandom();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Bootstrap bootstrap;
    private volatile Channel channel;
    /** The reconnect waiting out its backoff, or null. */
    private volatile java.util.concurrent.Future<?> reconnect;
    private volatile boolean authenticated;
    /** {@link System#nanoTime} of the first failure since the link was last authenticated, or -1. */
    private volatile long unreachableSince = -1;
    /** How long a link must have failed before its peer counts as unreachable (its queue bound shrinks). */
    static final long UNREACHABLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);
    private volatile boolean closed;
    private volatile String lastError;
    private volatile long lastErrorAtMillis;
    /** {@link #sent} at the last keepalive check: unchanged means the connection was idle. */
    private volatile long sentAtLastCheck = -1;
    /** Keepalive checks since the last keepalive sent (event loop only). */
    private int checksSinceKeepalive;
    /** A keepalive goes out at least every this many checks (1 s), busy or not. */
    static final int TIMED_KEEPALIVE_CHECKS = 10;

    /**
     * @param localHost the address every connection to this peer is dialed FROM (the node's
     *     listen address, so per-address firewall rules and peers see one address per node);
     *     the local port is chosen by the kernel
     */
    public PeerLink(int peerId, String host, int port, String localHost, OutboundQueue queue, Backoff backoff,
                    RateLimitedLog log, Traffic traffic) {
        this.peerId = peerId;
        this.host = host;
        this.port = port;
        this.localAddress = new InetSocketAddress(localHost, 0);
        this.queue = queue;
        this.backoff = backoff;
        this.log = log;
        this.traffic = traffic;
    }

    public int peerId() {
        return peerId;
    }

    /** The host dialed. */
    public String host() {
        return host;
    }

    /** The port dialed. */
    public int port() {
        return port;
    }

    /** Starts dialing with {@code bootstrap}, whose handler must end in an {@link OutboundHandler} for this link. */
    public void start(Bootstrap bootstrap) {
        this.bootstrap = bootstrap;
        connect();
    }

    /**
     * Queues one message (dropping the oldest if full) and makes sure a drain is scheduled.
     * Never blocks. @return false if the link is closed
     */
    public boolean enqueue(int group, byte[] message) {
        if (closed) return false;
        // a peer unreachable for a while gets a small backlog only (see OutboundQueue): it catches up
        // from the log; a link still starting or reconnecting keeps the full bounds
        long since = unreachableSince;
        boolean reachable = since < 0 || System.nanoTime() - since < UNREACHABLE_AFTER_NANOS;
        int droppedNow = queue.offer(group, message, reachable);
        if (droppedNow > 0) dropped.addAndGet(droppedNow);
        scheduleDrain();
        return true;
    }

    /**
     * Bytes waiting for this peer: the queue's, plus what the connection buffered and the socket
     * did not take yet (Netty's outbound buffer, at most about the high water mark plus one frame).
     * Any thread; a snapshot.
     */
    public long queuedBytes() {
        long bytes = queue.bytes();
        Channel ch = channel;
        io.netty.channel.ChannelOutboundBuffer buffered = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffered == null ? bytes : bytes + buffered.totalPendingWriteBytes();
    }

    /** @param lastHeardMillisAgo from the inbound side ({@link Inbound#lastHeardMillisAgo}) */
    public PeerStatus status(long lastHeardMillisAgo) {
        Channel ch = channel;
        String error = lastError;
        return new PeerStatus(peerId, host + ":" + port, ch != null && ch.isActive(), authenticated,
                sent.get(), dropped.get(), error, lastHeardMillisAgo, error == null ? 0 : lastErrorAtMillis);
    }

    /** Stops dialing, closes the connection, and counts what was still queued as dropped. */
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) ch.close();
        dropped.addAndGet(queue.clear());
    }

    private void connect() {
        if (closed) return;
        ChannelFuture future;
        try {
            future = bootstrap.connect(InetSocketAddress.createUnresolved(host, port), localAddress);
        } catch (RejectedExecutionException shuttingDown) {
            return;
        }
        Channel ch = future.channel();
        channel = ch; // usually set already by onActive; see there
        future.addListener(done -> {
            if (!done.isSuccess()) recordError("connect to " + host + ":" + port + " failed: " + done.cause().getMessage());
        });
        ch.closeFuture().addListener(done -> onClosed(ch));
    }

    private void onClosed(Channel ch) {
        markUnreachable();
        if (channel == ch) {
            authenticated = false;
            channel = null;
        }
        if (closed) return;
        long delay = backoff.delayMillis(attempts.getAndIncrement(), random);
        try {
            reconnect = ch.eventLoop().parent().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the transport is closing
        }
    }

    /**
     * Dials now if this link waits out a reconnect backoff: the peer just connected to this node,
     * so it is up and most likely accepts this node now (e.g. it has just added it as a member).
     * Any thread; never blocks.
     */
    public void redialNow() {
        java.util.concurrent.Future<?> waiting = reconnect;
        if (closed || channel != null || waiting == null || !waiting.cancel(false)) return;
        attempts.set(0);
        connect();
    }

    private void markUnreachable() {
        if (unreachableSince < 0) unreachableSince = System.nanoTime();
    }

    /**
     * Called by the {@link OutboundHandler} when a dialed connection is up, before it says hello.
     * Why here and not only in {@link #connect}: the dialing thread may be descheduled between
     * starting the connect and recording its channel while the whole handshake completes on the
     * event loop; {@link #onAuthenticated} then saw a stranger's channel, ignored it, and the link
     * stayed connected but never sent (seen under CI load as probes undelivered for 20 s).
     */
    void onActive(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        channel = ch;
    }

    /** Called by the {@link OutboundHandler} once the peer accepted our handshake. */
    void onAuthenticated(Channel ch) {
        if (channel != ch) return;
        attempts.set(0);
        authenticated = true;
        unreachableSince = -1;
        lastError = null; // the peer is back: an old "connection refused" would mislead status pages
        ScheduledFuture<?> keepalive = ch.eventLoop().scheduleAtFixedRate(() -> keepalive(ch),
                KEEPALIVE_MILLIS, KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(done -> keepalive.cancel(false));
        log.log(Level.DEBUG, "connected:" + peerId, "connected to node " + peerId + " at " + host + ":" + port);
        scheduleDrain();
    }

    /** Records why a connection attempt or connection failed; logged rate-limited per peer. */
    void recordError(String error) {
        markUnreachable();
        lastErrorAtMillis = System.currentTimeMillis();
        lastError = error;
        log.log(Level.INFO, "peer-error:" + peerId, "node " + peerId + ": " + error);
    }

    void scheduleDrain() {
        Channel ch = channel;
        if (ch != null && authenticated && drainScheduled.compareAndSet(false, true)) {
            try {
                ch.eventLoop().execute(this::drain);
            } catch (RejectedExecutionException shuttingDown) {
                drainScheduled.set(false);
            }
        }
    }

    /**
     * Sends a keepalive if nothing was sent since the last check, so the peer keeps hearing from
     * us, and at least every {@link #TIMED_KEEPALIVE_CHECKS} checks anyway: it carries the
     * round-trip clock ({@link Traffic}), which busy connections need too.
     */
    private void keepalive(Channel ch) {
        long now = sent.get();
        boolean timed = ++checksSinceKeepalive >= TIMED_KEEPALIVE_CHECKS;
        if ((now == sentAtLastCheck || timed) && channel == ch && ch.isActive() && ch.isWritable()) {
            ch.writeAndFlush(FrameEncoder.encode(ch.alloc(), Frame.KEEPALIVE, 0, traffic.keepaliveBody(peerId)), ch.voidPromise());
            checksSinceKeepalive = 0;
        }
        sentAtLastCheck = now;
    }

    /** Writes queued messages while the socket takes them, then flushes once. Event loop only. */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (ch == null || !authenticated || !ch.isActive()) return;
        int written = 0;
        while (written < DRAIN_BATCH_MAX && ch.isWritable()) {
            OutboundQueue.Queued next = queue.poll();
            if (next == null) break;
            ch.write(FrameEncoder.encode(ch.alloc(), Frame.DATA, next.group(), next.message()), ch.voidPromise());
            traffic.sent(peerId, next.message().length + Frame.OVERHEAD_BYTES);
            written++;
        }
        if (written > 0) {
            ch.flush();
            sent.addAndGet(written);
        }
        if (written == DRAIN_BATCH_MAX) scheduleDrain(); // more may wait; let other channels run first
    }
}
