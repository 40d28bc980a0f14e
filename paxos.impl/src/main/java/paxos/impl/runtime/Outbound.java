package paxos.impl.runtime;

import paxos.impl.core.Message;

/** Where a group's outgoing messages go: encoded onto the transport. Never blocks. */
@FunctionalInterface
interface Outbound {
    /** Sends {@code m} to {@code m.to()}, best effort. */
    void send(Message m);
}
