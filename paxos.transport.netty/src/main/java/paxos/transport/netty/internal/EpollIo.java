package paxos.transport.netty.internal;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.util.concurrent.ThreadFactory;

/** The only class that names epoll types; see {@link Io}. */
final class EpollIo {
    private EpollIo() {}

    /** @return epoll, or null if its native library is unavailable here */
    static Io tryCreate(int threads, ThreadFactory threadFactory) {
        if (!Epoll.isAvailable()) return null;
        return new Io(new MultiThreadIoEventLoopGroup(threads, threadFactory, EpollIoHandler.newFactory()),
                EpollServerSocketChannel.class, EpollSocketChannel.class, "epoll");
    }
}
