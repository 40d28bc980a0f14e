package paxos.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The event-loop group and channel classes: epoll when it is available and wanted, NIO
 * otherwise. Epoll is optional at run time (its bundle is an optional import, its native
 * library may not load), so it is only ever touched through {@link EpollIo}, behind a
 * {@link LinkageError} guard.
 *
 * @param group the event loops; owned by the transport, shut down on close
 * @param serverChannelClass the listening channel class
 * @param channelClass the connecting channel class
 * @param name {@code "epoll"} or {@code "nio"}
 */
public record Io(EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass,
                 Class<? extends Channel> channelClass, String name) {

    public static Io create(int threads, ThreadFactory threadFactory, boolean preferNative) {
        if (preferNative) {
            try {
                Io epoll = EpollIo.tryCreate(threads, threadFactory);
                if (epoll != null) return epoll;
            } catch (LinkageError missing) {
                // netty-transport-classes-epoll is not wired (OSGi optional import): NIO it is
            }
        }
        return new Io(new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory()),
                NioServerSocketChannel.class, NioSocketChannel.class, "nio");
    }
}
