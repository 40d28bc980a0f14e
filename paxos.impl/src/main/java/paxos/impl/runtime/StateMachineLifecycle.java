package paxos.impl.runtime;

/**
 * Stops and starts the state machine of a group so that a received checkpoint can be installed
 * into its data directory: the engine's way to restart a state machine without exiting the
 * process. The embedded node closes and reopens it through its
 * {@link paxos.api.statemachine.StateMachineFactory}; in OSGi the node stops and starts the bundle
 * that registered the service.
 *
 * <p><b>Threads.</b> Called on a checkpoint thread of the engine, never on a group's loop or
 * execution thread, never concurrently for one group; calls for different groups may overlap.
 *
 * <p><b>Contract.</b> When {@link #stop} returns, nothing of the state machine runs or holds its
 * files for that group any more. {@link #start} (re)creates it; the new object then reaches the
 * engine through {@link Engine#register} as usual — during or after the call (OSGi registers the
 * service asynchronously); the engine waits for it, bounded.
 */
public interface StateMachineLifecycle {

    /**
     * Stops state machine {@code id} of {@code group}.
     *
     * @throws Exception if it cannot be stopped; the engine then keeps the old state and retries later
     */
    void stop(int group, int id) throws Exception;

    /**
     * Starts state machine {@code id} of {@code group} again, restoring from its data directory.
     *
     * @throws Exception if it cannot be started; the group is then reported failed
     */
    void start(int group, int id) throws Exception;
}
