package paxos.transport.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one accepted connection: runs the {@link Handshake}, then hands data frames
 * to the engine. Anything unexpected (bad frame, wrong cluster, unknown node, bad MAC, wrong
 * frame type, timeout) closes the connection with one rate-limited log line. One instance per
 * channel, on its event loop.
 */
public final class InboundHandler extends SimpleChannelInboundHandler<Frame> {
    private enum State { AWAIT_HELLO, AWAIT_AUTH, OPEN, REJECTED }

    private final Inbound inbound;
    private final FrameDecoder decoder;
    private State state = State.AWAIT_HELLO;
    private boolean pending;
    private boolean registered;
    private ScheduledFuture<?> timeout;
    private Handshake.ClientHello hello;
    private byte[] serverNonce;
    /** The incarnation the peer proved (hex), or null if none; set when the connection opens. */
    private String incarnation;

    public InboundHandler(Inbound inbound, FrameDecoder decoder) {
        this.inbound = inbound;
        this.decoder = decoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!inbound.tryEnterPending()) {
            reject(ctx, "overload", "too many connections awaiting the handshake (" + Inbound.PENDING_MAX + ")");
            return;
        }
        pending = true;
        timeout = ctx.executor().schedule(() -> reject(ctx, "timeout", "handshake timed out"),
                inbound.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        endPending();
        if (registered) inbound.closed(hello.clientNodeId(), ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (state) {
            case AWAIT_HELLO -> onHello(ctx, frame);
            case AWAIT_AUTH -> onAuth(ctx, frame);
            case OPEN -> {
                if (frame.type() != Frame.DATA && frame.type() != Frame.KEEPALIVE) {
                    reject(ctx, "protocol", "unexpected frame type " + frame.type() + " after the handshake");
                    return;
                }
                inbound.heard(hello.clientNodeId());
                if (frame.type() == Frame.DATA) inbound.deliver(hello.clientNodeId(), incarnation, frame.group(), frame.body());
                else inbound.keepalive(hello.clientNodeId(), frame.body());
            }
            case REJECTED -> { } // closing; drop whatever was already buffered
        }
    }

    private void onHello(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != Frame.CLIENT_HELLO) {
            reject(ctx, "protocol", "expected a client hello, got frame type " + frame.type());
            return;
        }
        Handshake.ClientHello h;
        try {
            h = Handshake.ClientHello.decode(frame.body());
        } catch (IllegalArgumentException e) {
            reject(ctx, "protocol", "malformed client hello: " + e.getMessage());
            return;
        }
        if (!h.clusterId().equals(inbound.handshake.clusterId())) {
            reject(ctx, "cluster", "node " + h.clientNodeId() + " is of cluster '" + h.clusterId() + "', not '"
                    + inbound.handshake.clusterId() + "'");
            return;
        }
        if (h.serverNodeId() != inbound.selfNodeId) {
            reject(ctx, "target", "node " + h.clientNodeId() + " dialed node " + h.serverNodeId()
                    + " but reached node " + inbound.selfNodeId + " (check its peers map)");
            return;
        }
        hello = h;
        serverNonce = Handshake.newNonce();
        byte[] mac = inbound.handshake.serverMac(h, inbound.selfNodeId, serverNonce);
        byte[] body = new Handshake.ServerHello(inbound.selfNodeId, serverNonce, mac).encode();
        ctx.writeAndFlush(FrameEncoder.encode(ctx.alloc(), Frame.SERVER_HELLO, 0, body));
        state = State.AWAIT_AUTH;
    }

    private void onAuth(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != Frame.CLIENT_AUTH || frame.body().length != Handshake.MAC_BYTES) {
            reject(ctx, "protocol", "expected a client auth, got frame type " + frame.type());
            return;
        }
        byte[] expected = inbound.handshake.clientMac(hello.clientNodeId(), inbound.selfNodeId,
                hello.clientNonce(), serverNonce);
        if (!Handshake.macEquals(expected, frame.body())) {
            reject(ctx, "auth", "node " + hello.clientNodeId()
                    + " failed authentication (wrong cluster secret, or a replayed handshake)");
            return;
        }
        // only now is the incarnation authentic: remembered, so that an operator adding a node that
        // waits to join records the incarnation it proved (Transport.presentedIncarnation)
        inbound.presented(hello.clientNodeId(), hello.incarnation());
        if (!inbound.isMember(hello.clientNodeId())) {
            reject(ctx, "not-member:" + hello.clientNodeId(), "node " + hello.clientNodeId() + " is not a member (yet);"
                    + " refused until the membership in force names it");
            return;
        }
        // a node that lost its data and came back under a new incarnation must not vote, so
        // nothing it sends is delivered
        if (!inbound.admits(hello.clientNodeId(), hello.incarnation())) {
            reject(ctx, "incarnation:" + hello.clientNodeId(), "node " + hello.clientNodeId()
                    + " presents another incarnation than the one this node knows (its data directory was"
                    + " replaced?); its messages are dropped until an operator forgets its old incarnation");
            return;
        }
        state = State.OPEN;
        endPending();
        decoder.raiseMaxFrameBytes(inbound.maxFrameBytes);
        registered = true;
        incarnation = Inbound.hex(hello.incarnation());
        inbound.opened(hello.clientNodeId(), incarnation, ctx.channel());
        inbound.heard(hello.clientNodeId());
        ctx.writeAndFlush(FrameEncoder.encode(ctx.alloc(), Frame.SERVER_ACCEPT, 0, new byte[0]));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable why = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String from = hello != null && state == State.OPEN ? "node " + hello.clientNodeId() : "" + ctx.channel().remoteAddress();
        if (state != State.REJECTED) {
            state = State.REJECTED;
            inbound.log.log(Level.WARNING, "inbound-error", "closing inbound connection from " + from + ": " + why);
        }
        ctx.close();
    }

    private void reject(ChannelHandlerContext ctx, String reasonKey, String reason) {
        if (state == State.REJECTED) return;
        state = State.REJECTED;
        endPending();
        inbound.log.log(Level.WARNING, "inbound-rejected:" + reasonKey,
                "rejected inbound connection from " + ctx.channel().remoteAddress() + ": " + reason);
        ctx.close();
    }

    private void endPending() {
        if (timeout != null) timeout.cancel(false);
        if (pending) {
            pending = false;
            inbound.leavePending();
        }
    }
}
