package paxos.api.spi.transport;

import java.util.Collection;
import java.util.List;
import paxos.api.Member;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Moves messages between the nodes of one cluster, best effort: a message may be lost,
 * duplicated or delayed, never corrupted or delivered to the wrong node (integrity is checked,
 * peers are authenticated). Paxos tolerates loss; the engine retransmits what matters.
 *
 * <p><b>Threads.</b> {@link #send} may be called from any thread (normally a group's loop) and
 * never blocks: it queues into a bounded per-peer queue and returns. Delivery to the
 * {@link MessageHandler} happens on transport threads.
 *
 * <p><b>Ordering.</b> Messages from one sender to one receiver that are delivered are delivered in
 * send order while one connection lasts; across reconnects there is no promise.
 *
 * <p><b>Limits.</b> A message is at most {@link #maxMessageBytes()}; larger ones are refused by
 * {@link #send} with {@link IllegalArgumentException} (a bug in the caller, not a network event).
 */
@ProviderType
public interface Transport extends AutoCloseable {

    /**
     * The longest a transport lets a connected peer go without receiving anything from it: when
     * it has sent nothing for that long it sends a keepalive. The receiving transport records the
     * time of every frame received per peer ({@link PeerStatus#lastHeardMillisAgo()}), so a peer
     * silent for several of these intervals is cut off or stopped, whatever TCP says.
     */
    long KEEPALIVE_MILLIS_MAX = 200;

    /**
     * Starts listening and connecting; messages received from now on go to {@code handler}.
     * Called once.
     *
     * @throws TransportException if the listen address cannot be bound
     */
    void start(MessageHandler handler);

    /**
     * Queues one message for {@code toNode}.
     *
     * @param group the group the message belongs to (lets the receiver route without decoding)
     * @param message encoded bytes, not copied: the caller must not modify them afterwards
     * @return false if it was dropped at once (unknown peer, queue full, transport closed)
     */
    boolean send(int toNode, int group, byte[] message);

    /**
     * Bytes of messages to {@code toNode} accepted by {@link #send} and not yet handed to the
     * network (queued, or buffered by the connection), {@code 0} for an unknown peer. The engine
     * paces what it queues for one peer by it (catch-up replies: a learner that does not read must
     * not grow this node's heap). Any thread; never blocks; a snapshot. The default reports
     * {@code 0} (a transport that cannot tell: no pacing).
     */
    default long queuedBytes(int toNode) {
        return 0;
    }

    /** Largest message {@link #send} accepts, in bytes. */
    int maxMessageBytes();

    /**
     * Connection state and liveness of every configured peer, in node-ID order. Any thread; a
     * snapshot. {@link PeerStatus#lastHeardMillisAgo()} counts from the last frame received from
     * the peer (every inbound frame is recorded, data and keepalives alike).
     */
    List<PeerStatus> peers();

    /** Closes connections and stops threads; later sends return false. Idempotent. */
    @Override
    void close();

    /**
     * Reports every data message sent or received from now on to {@code observer} (replacing the
     * previous one; {@code null} stops reporting). Any thread. The default reports nothing.
     */
    default void observeTraffic(TrafficObserver observer) {}

    /**
     * Replaces the set of peers this transport connects to and accepts: called by the engine when
     * the membership in force changes (a member added or removed through the log), and once at
     * start with the membership the log holds. {@code members} is the union over every group of the
     * members in force (including this node, which the transport skips), each with the address peers
     * reach it at and the incarnation it was added with ({@code null}: not known yet). A peer no
     * longer listed is disconnected and its queue dropped; a new peer is connected. Any thread; must
     * not block. The default ignores the call (a transport with a fixed peer list).
     */
    default void updateMembers(Collection<Member> members) {}

    /**
     * The incarnation node {@code nodeId} proved in its latest authenticated handshake with this
     * node (lower-case hex), whether or not it is a member: a node started to join dials the peers
     * it was told about, so the member an operator asks to add it learns its incarnation here and
     * records it in the membership change. Any thread; never blocks. The default knows none.
     *
     * @return the incarnation, or {@code null} if the node has not authenticated with this node
     *     since the transport started (or the transport does not learn incarnations)
     */
    default String presentedIncarnation(int nodeId) {
        return null;
    }
}
