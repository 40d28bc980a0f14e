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
}
