package paxos.transport.netty.internal;

import paxos.api.spi.transport.TrafficObserver;

/** The transport's one {@link TrafficObserver}, or none; what the links and the inbound side report to. */
public final class Traffic {
    private volatile TrafficObserver observer;

    public void observe(TrafficObserver o) {
        observer = o;
    }

    void sent(int peer, int bytes) {
        TrafficObserver o = observer;
        if (o != null) o.sent(peer, bytes);
    }

    void received(int peer, int bytes) {
        TrafficObserver o = observer;
        if (o != null) o.received(peer, bytes);
    }
}
