package paxos.api.spi.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives messages from a {@link Transport}. Implemented by the engine. Called on transport
 * threads, possibly concurrently for different peers; must not block (it hands the message to
 * the group's loop and returns).
 */
@ConsumerType
public interface MessageHandler {

    /**
     * One message from an authenticated peer of the same cluster.
     *
     * @param fromNode the sender's node ID
     * @param group the group the sender named
     * @param message the bytes as sent; owned by the handler from now on
     */
    void onMessage(int fromNode, int group, byte[] message);

    /**
     * One message from an authenticated peer that proved the incarnation of its data directory
     * during the handshake. The engine ignores promises and accepts from an incarnation other than
     * the one the member was added with. The default drops the incarnation and calls
     * {@link #onMessage(int, int, byte[])}.
     *
     * @param incarnation the sender's incarnation (lower-case hex), or {@code null} if the sender did not present one
     */
    default void onMessage(int fromNode, String incarnation, int group, byte[] message) {
        onMessage(fromNode, group, message);
    }
}
