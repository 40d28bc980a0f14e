package paxos.api.statemachine;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates a state machine for the embedded (non-OSGi) node, which plays the part the bundle
 * lifecycle plays in OSGi: the node opens the state machine at start, and closes and reopens it
 * to install a received checkpoint. Called on an engine thread, never concurrently for one group.
 */
@ConsumerType
public interface StateMachineFactory {

    /**
     * Opens the state machine of {@code group}, restoring from {@code dataDirectory} (created
     * empty by the engine if missing).
     *
     * @throws IOException if the state cannot be restored; the group is reported failed
     */
    StateMachine open(int group, Path dataDirectory) throws IOException;

    /** Closes a state machine this factory opened; after it returns its files may be replaced. */
    default void close(StateMachine stateMachine) throws IOException {
        if (stateMachine instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }
}
