package paxos.transport.netty.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the {@link Handshake} on one outbound connection: says hello, checks the
 * server's proof, proves itself, and on the server's accept tells the {@link PeerLink} to start
 * sending. The server never sends data on this connection (connections are one-way), so any
 * frame after the accept is a protocol error. One instance per channel, on its event loop.
 */
public final class OutboundHandler extends SimpleChannelInboundHandler<Frame> {
    private enum State { AWAIT_SERVER_HELLO, AWAIT_ACCEPT, OPEN, FAILED }

    private final PeerLink link;
    private final int selfNodeId;
    private final Handshake handshake;
    private final long handshakeTimeoutMillis;
    private State state = State.AWAIT_SERVER_HELLO;
    private Handshake.ClientHello hello;
    private ScheduledFuture<?> timeout;

    public OutboundHandler(PeerLink link, int selfNodeId, Handshake handshake, long handshakeTimeoutMillis) {
        this.link = link;
        this.selfNodeId = selfNodeId;
        this.handshake = handshake;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        link.onActive(ctx.channel());
        hello = new Handshake.ClientHello(handshake.clusterId(), selfNodeId, link.peerId(), Handshake.newNonce(),
                handshake.incarnation());
        ctx.writeAndFlush(FrameEncoder.encode(ctx.alloc(), Frame.CLIENT_HELLO, 0, hello.encode()));
        timeout = ctx.executor().schedule(() -> fail(ctx, "handshake timed out"),
                handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) timeout.cancel(false);
        if (state == State.AWAIT_ACCEPT) {
            // both proofs of the secret matched; what the peer refuses now is who this node is
            state = State.FAILED;
            link.recordError("closed by the peer after the handshake: it refuses this node: not a member there (yet), or"
                    + " another incarnation of it than the peer knows (this node's data directory is not the one it"
                    + " knew); see the peer's log and README 'Membership'");
        } else if (state == State.AWAIT_SERVER_HELLO) {
            state = State.FAILED;
            link.recordError("closed by the peer during the handshake (wrong cluster ID or secret, or not a member there?)");
        } else if (state == State.OPEN) {
            state = State.FAILED;
            link.recordError("connection closed");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) link.scheduleDrain();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        switch (state) {
            case AWAIT_SERVER_HELLO -> onServerHello(ctx, frame);
            case AWAIT_ACCEPT -> {
                if (frame.type() != Frame.SERVER_ACCEPT) {
                    fail(ctx, "expected the server's accept, got frame type " + frame.type());
                    return;
                }
                state = State.OPEN;
                timeout.cancel(false);
                link.onAuthenticated(ctx.channel());
            }
            case OPEN -> fail(ctx, "unexpected frame type " + frame.type() + " on an outbound connection");
            case FAILED -> { }
        }
    }

    private void onServerHello(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() != Frame.SERVER_HELLO) {
            fail(ctx, "expected a server hello, got frame type " + frame.type());
            return;
        }
        Handshake.ServerHello reply;
        try {
            reply = Handshake.ServerHello.decode(frame.body());
        } catch (IllegalArgumentException e) {
            fail(ctx, "malformed server hello: " + e.getMessage());
            return;
        }
        if (reply.serverNodeId() != link.peerId()) {
            fail(ctx, "expected node " + link.peerId() + " but node " + reply.serverNodeId() + " answered");
            return;
        }
        byte[] expected = handshake.serverMac(hello, link.peerId(), reply.serverNonce());
        if (!Handshake.macEquals(expected, reply.serverMac())) {
            fail(ctx, "the peer failed authentication (wrong cluster secret?)");
            return;
        }
        byte[] mac = handshake.clientMac(selfNodeId, link.peerId(), hello.clientNonce(), reply.serverNonce());
        ctx.writeAndFlush(FrameEncoder.encode(ctx.alloc(), Frame.CLIENT_AUTH, 0, mac));
        state = State.AWAIT_ACCEPT;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable why = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        fail(ctx, String.valueOf(why));
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (state != State.FAILED) {
            state = State.FAILED;
            link.recordError(why);
        }
        ctx.close();
    }
}
