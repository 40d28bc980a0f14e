package paxos.api.statemachine;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An optional ability of a {@link StateMachine} (implement both on the same object): its state
 * can be shipped to a node that is behind the retained log, and installed there.
 *
 * <p><b>Sending side.</b> The engine calls {@link #lockCheckpoint(int)} on a transfer thread; while
 * locked, the listed files must not change (the state machine keeps executing into other files
 * or defers cleanup). The engine always calls {@link #unlockCheckpoint(int)} afterwards, also when
 * the transfer fails or the receiver disappears.
 *
 * <p><b>Receiving side: install by restart, never by exiting the process.</b> The engine
 * verifies every received file in a staging directory, then stops the state machine (in OSGi:
 * stops its bundle; embedded: closes it through its {@link StateMachineFactory}), replaces
 * {@link #dataDirectory(int)} with the received files atomically (a crash leaves either the old or
 * the new directory, never a mix), and starts it again. The state machine restores from the
 * files as on any start and reports the new {@link StateMachine#checkpointInstance(int)}.
 */
@ConsumerType
public interface CheckpointSupport {

    /**
     * Freezes a consistent checkpoint of {@code group}'s state and lists its files.
     *
     * @return the checkpoint's position (every instance up to it fully applied) and files
     * @throws IOException if no checkpoint can be made now; the transfer is retried later
     */
    CheckpointFiles lockCheckpoint(int group) throws IOException;

    /** Releases what {@link #lockCheckpoint(int)} froze. Called exactly once per successful lock. */
    void unlockCheckpoint(int group);

    /**
     * The directory holding this state machine's durable state for {@code group}, which a received checkpoint
     * replaces while the state machine is stopped. Constant for the life of the object.
     */
    Path dataDirectory(int group);
}
