package paxos.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import paxos.api.Member;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.api.spi.transport.TransportException;
import paxos.transport.netty.internal.Backoff;
import paxos.transport.netty.internal.Frame;
import paxos.transport.netty.internal.FrameDecoder;
import paxos.transport.netty.internal.Handshake;
import paxos.transport.netty.internal.Inbound;
import paxos.transport.netty.internal.InboundHandler;
import paxos.transport.netty.internal.Io;
import paxos.transport.netty.internal.OutboundHandler;
import paxos.transport.netty.internal.OutboundQueue;
import paxos.transport.netty.internal.PeerLink;
import paxos.transport.netty.internal.RateLimitedLog;
import paxos.transport.netty.internal.TlsContexts;

/**
 * The {@link Transport} on Netty 4.2 over TCP (epoll when available, NIO otherwise), with
 * optional mutual TLS.
 *
 * <p><b>Connections.</b> Two one-way connections per pair of nodes: this node dials every peer
 * and only sends on that connection; it accepts the peers' connections and only receives on
 * them. No tie-breaking is needed when two nodes dial each other at once, and each direction
 * reconnects on its own (exponential backoff with jitter, from
 * {@link NettyTransportConfig#reconnectBackoffMinMillis()} to the max). Connections are dialed
 * from {@link NettyTransportConfig#listenHost()} (bound before connecting, any local port), so a
 * node has one address both ways: per-address firewall rules work on multi-homed hosts, and
 * nodes on 127.0.0.11/.12/.13 are told apart by their source address. Every connection first
 * runs the cluster handshake (cluster ID, node IDs, HMAC-SHA256 over the shared secret and
 * nonces from both sides); nothing else is accepted before it succeeds.
 *
 * <p><b>Sending.</b> {@link #send} appends to the peer's bounded queue and returns at once. When
 * the queue is full (messages or bytes) the OLDEST messages are dropped and counted in
 * {@link PeerStatus#messagesDropped()}, and the new message is queued ({@code send} returns
 * true). Messages wait in the queue while the peer is unreachable and are sent after the
 * reconnect. The peer's event loop writes all queued messages and flushes once per pass.
 * Sending to this node itself or to an unknown node returns false.
 *
 * <p><b>Receiving.</b> {@link MessageHandler#onMessage} is called on Netty event-loop threads,
 * in order per sending node while its connection lasts. A frame that is malformed, oversize
 * or fails its CRC closes that connection (one rate-limited log line); the node keeps serving.
 *
 * <p><b>Liveness.</b> An outbound connection that sent nothing for 100 ms sends a keepalive frame
 * (within {@link Transport#KEEPALIVE_MILLIS_MAX}); the receiving side records the time of every
 * frame per peer, reported as {@link PeerStatus#lastHeardMillisAgo()}. A peer that is cut off
 * or paused thus shows its silence within a few hundred milliseconds, while TCP may keep the
 * connection "open" for seconds. Keepalives are not counted in {@code messagesSent}.
 * {@link PeerStatus#lastError()} is cleared when a connection to the peer authenticates again.
 *
 * <p><b>Members.</b> The peers are {@link NettyTransportConfig#peers()} until the engine calls
 * {@link #updateMembers} (at start with the membership its logs hold, then whenever it changes):
 * from then on this node dials exactly the members named there and accepts connections only from
 * them, under an incarnation the membership names for them (where it names none, the first one
 * seen is pinned, see {@link Incarnations}). A new member is dialed at once; a member no longer
 * named is disconnected both ways and its queue dropped. A node that proves the cluster secret
 * but is not a member (one waiting to join) is refused after the handshake; the incarnation it
 * proved is reported by {@link #presentedIncarnation}, so that the operator's add records it. When
 * a member connects to this node while this node's connection to it waits out a reconnect
 * backoff, this node redials it at once (it was likely refused there until just now).
 *
 * <p>Construct with {@code new NettyTransport(config)}; nothing happens until {@link #start}.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOGGER = System.getLogger(NettyTransport.class.getName());
    /** Netty's outbound buffer per connection; beyond it, messages wait in the bounded queue. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 << 10, 2 << 20);
    private static final long LOG_INTERVAL_MILLIS = 10_000;

    private final NettyTransportConfig config;
    private final Handshake handshake;
    private final Incarnations incarnations;
    private final RateLimitedLog log = new RateLimitedLog(LOGGER, LOG_INTERVAL_MILLIS, System::nanoTime);
    /** The outbound links by peer, copy-on-write under {@code this}: senders read it without a lock. */
    private volatile Map<Integer, PeerLink> links = Map.of();
    /** Per member, the incarnations it may connect with (empty: any, first seen pinned); under {@code this}. */
    private Map<Integer, Set<String>> memberIncarnations;
    private final Backoff backoff;
    private TlsContexts tls;
    private final int maxMessageBytes;
    private Io io;
    private Channel serverChannel;
    private Inbound inbound;
    private final paxos.transport.netty.internal.Traffic traffic = new paxos.transport.netty.internal.Traffic();
    private volatile boolean started;
    private volatile boolean closed;

    /** @param config validated by its constructor; the transport is idle until {@link #start} */
    public NettyTransport(NettyTransportConfig config) {
        this(config, Incarnations.none());
    }

    /**
     * A transport that sends this node's incarnation in its handshakes and admits a peer only
     * under the incarnation {@code incarnations} knows for it (see {@link Incarnations}).
     */
    public NettyTransport(NettyTransportConfig config, Incarnations incarnations) {
        this.config = Objects.requireNonNull(config, "config");
        this.incarnations = Objects.requireNonNull(incarnations, "incarnations");
        this.handshake = new Handshake(config.clusterSecret(), config.clusterId(), incarnations.own());
        this.maxMessageBytes = config.maxFrameBytes() - Frame.OVERHEAD_BYTES;
        this.backoff = new Backoff(config.reconnectBackoffMinMillis(), config.reconnectBackoffMaxMillis());
        Map<Integer, PeerLink> initial = new TreeMap<>();
        Map<Integer, Set<String>> admitted = new TreeMap<>();
        config.peers().forEach((peerId, address) -> {
            initial.put(peerId, newLink(peerId, PeerAddress.parse(peerId, address)));
            admitted.put(peerId, Set.of());
        });
        this.links = initial;
        this.memberIncarnations = admitted;
    }

    private PeerLink newLink(int peerId, PeerAddress address) {
        return new PeerLink(peerId, address.host(), address.port(), config.listenHost(),
                new OutboundQueue(config.outboundQueueMessagesMax(), config.outboundQueueBytesMax()), backoff, log, traffic);
    }

    /**
     * Binds the listen address, then dials every peer. Call once.
     *
     * @throws TransportException if the address cannot be bound or the TLS stores cannot be read
     * @throws IllegalStateException if called twice or after {@link #close}
     */
    @Override
    public synchronized void start(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (started || closed) throw new IllegalStateException(closed ? "transport closed" : "already started");
        TlsStores stores = config.tls();
        tls = stores == null ? null : TlsContexts.load(stores.keyStorePath(), stores.keyStorePassword(),
                stores.trustStorePath(), stores.trustStorePassword());
        io = Io.create(config.ioThreads(), new DefaultThreadFactory("paxos-transport-" + config.nodeId(), true),
                config.nativeTransport());
        inbound = new Inbound(config.nodeId(), memberIncarnations, handshake, handler, log,
                config.maxFrameBytes(), config.handshakeTimeoutMillis());
        inbound.traffic(traffic);
        inbound.incarnations(incarnations::admit);
        inbound.onOpened(peer -> {
            PeerLink link = links.get(peer);
            if (link != null) link.redialNow();
        });
        try {
            serverChannel = new ServerBootstrap().group(io.group()).channel(io.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .option(ChannelOption.SO_REUSEADDR, true) // a restarted node rebinds despite TIME_WAIT
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (tls != null) ch.pipeline().addLast(sslHandler(tls.server().newHandler(ch.alloc())));
                            FrameDecoder decoder = new FrameDecoder();
                            ch.pipeline().addLast(decoder, new InboundHandler(inbound, decoder));
                        }
                    })
                    .bind(config.listenHost(), config.listenPort()).syncUninterruptibly().channel();
        } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException undeclared
            io.group().shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new TransportException("cannot listen on " + config.listenHost() + ":" + config.listenPort()
                    + ": " + e.getMessage(), e);
        }
        started = true;
        for (PeerLink link : links.values()) link.start(bootstrapFor(link));
        LOGGER.log(Level.INFO, "node " + config.nodeId() + " transport (" + io.name() + (tls != null ? ", TLS" : "")
                + ") listening on " + config.listenHost() + ":" + localPort() + ", peers " + links.keySet());
    }

    /**
     * Makes {@code members} (this node skipped) the peers: dials the new ones at once, disconnects
     * and drops the queues of those no longer named (or named at another address: redialed there),
     * and from now on accepts connections only from the members under the incarnations named (a
     * member named without one: the first seen is pinned). A node may be named more than once (one
     * group may have it in force under another incarnation than another group): each is admitted.
     * Never blocks (connections are made and closed on the event loops). Before {@link #start} it
     * replaces the configured peers; after {@link #close} it does nothing.
     */
    @Override
    public synchronized void updateMembers(Collection<Member> members) {
        if (closed) return;
        Map<Integer, PeerAddress> addresses = new TreeMap<>();
        Map<Integer, Set<String>> admitted = new TreeMap<>();
        Set<Integer> pinned = new TreeSet<>();
        for (Member m : members) {
            if (m.nodeId() == config.nodeId()) continue;
            addresses.putIfAbsent(m.nodeId(), new PeerAddress(m.host(), m.port()));
            Set<String> allowed = admitted.computeIfAbsent(m.nodeId(), id -> new TreeSet<>());
            if (m.incarnation() == null) pinned.add(m.nodeId());
            else allowed.add(m.incarnation());
        }
        // a node some group names without an incarnation is pinned: the named ones are not enough to know it
        pinned.forEach(id -> admitted.get(id).clear());
        admitted.replaceAll((id, allowed) -> Set.copyOf(allowed));
        Map<Integer, PeerLink> next = new TreeMap<>();
        List<PeerLink> dropped = new ArrayList<>();
        List<PeerLink> added = new ArrayList<>();
        for (PeerLink link : links.values()) {
            PeerAddress a = addresses.get(link.peerId());
            if (a != null && a.host().equals(link.host()) && a.port() == link.port()) next.put(link.peerId(), link);
            else dropped.add(link);
        }
        addresses.forEach((id, address) -> {
            if (next.containsKey(id)) return;
            PeerLink link = newLink(id, address);
            next.put(id, link);
            added.add(link);
        });
        memberIncarnations = admitted;
        links = next;
        if (inbound != null) inbound.members(admitted);
        dropped.forEach(PeerLink::close);
        if (started) for (PeerLink link : added) link.start(bootstrapFor(link));
        if (!dropped.isEmpty() || !added.isEmpty()) {
            LOGGER.log(Level.INFO, "node " + config.nodeId() + " transport: peers now " + next.keySet() + " (added "
                    + added.stream().map(PeerLink::peerId).toList() + ", removed "
                    + dropped.stream().map(PeerLink::peerId).toList() + ")");
        }
    }

    /**
     * The incarnation {@code nodeId} proved in its latest authenticated handshake with this node
     * (a member, or a node not a member yet that dialed this node to join), or null if none since
     * this transport started.
     */
    @Override
    public String presentedIncarnation(int nodeId) {
        Inbound in = inbound;
        return in == null ? null : in.presentedIncarnation(nodeId);
    }

    private Bootstrap bootstrapFor(PeerLink link) {
        return new Bootstrap().group(io.group()).channel(io.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) ch.pipeline().addLast(sslHandler(tls.client().newHandler(ch.alloc())));
                        ch.pipeline().addLast(new FrameDecoder(),
                                new OutboundHandler(link, config.nodeId(), handshake, config.handshakeTimeoutMillis()));
                    }
                });
    }

    private SslHandler sslHandler(SslHandler handler) {
        handler.setHandshakeTimeoutMillis(config.handshakeTimeoutMillis());
        return handler;
    }

    /**
     * Queues {@code message} for {@code toNode}; never blocks. Any thread.
     *
     * @return false if {@code toNode} is not a peer now (this node included) or the
     *         transport is closed; true otherwise, even if older messages were dropped for room
     * @throws IllegalArgumentException if {@code message} exceeds {@link #maxMessageBytes()}
     */
    @Override
    public boolean send(int toNode, int group, byte[] message) {
        if (message.length > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds the transport's limit of "
                    + maxMessageBytes + " bytes");
        }
        if (closed) return false;
        PeerLink link = links.get(toNode);
        return link != null && link.enqueue(group, message);
    }

    /** The peer's bounded queue plus what its connection still buffers (see {@link PeerLink#queuedBytes}). */
    @Override
    public long queuedBytes(int toNode) {
        PeerLink link = links.get(toNode);
        return link == null ? 0 : link.queuedBytes();
    }

    /** {@link NettyTransportConfig#maxFrameBytes()} minus the 14-byte frame header. */
    @Override
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Every peer (member) in node-ID order, with this node's OUTBOUND connection state and the
     * time since the last frame arrived on the peer's INBOUND connection (data or keepalive).
     */
    @Override
    public List<PeerStatus> peers() {
        List<PeerStatus> result = new ArrayList<>(links.size());
        Inbound in = inbound;
        for (PeerLink link : links.values())
            result.add(link.status(in == null ? -1 : in.lastHeardMillisAgo(link.peerId())));
        return List.copyOf(result);
    }

    /** Node IDs of peers whose inbound connection to this node is open and authenticated. */
    public Set<Integer> inboundPeers() {
        Inbound in = inbound;
        return in == null ? Set.of() : in.openPeers();
    }

    /** The port actually listened on (useful with port 0), or -1 before {@link #start}. */
    public synchronized int localPort() {
        return serverChannel == null ? -1 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** {@code "epoll"} or {@code "nio"} once started, else null. */
    public synchronized String ioName() {
        return io == null ? null : io.name();
    }

    /** Closes the listener and all connections and stops the threads (waits up to 5 s). Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        synchronized (this) {
            links.values().forEach(PeerLink::close);
        }
        if (!started) return;
        serverChannel.close().syncUninterruptibly();
        inbound.closeAll();
        io.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public void observeTraffic(paxos.api.spi.transport.TrafficObserver observer) {
        traffic.observe(observer);
    }
}
