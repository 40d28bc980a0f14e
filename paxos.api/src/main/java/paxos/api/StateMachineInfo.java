package paxos.api;

/**
 * One state machine of a group as the engine sees it.
 *
 * @param id the state machine ID
 * @param name the name it registered with, or {@code ""}
 * @param version for the entry of the version executing (or waited for), the version in force in
 *     the group's log ({@code null} if none was activated yet); for {@link State#STANDBY} and
 *     {@link State#REFUSED}, the registration's own version
 * @param checkpointInstance its last reported checkpoint position ({@code -1} if none)
 * @param state what it is doing
 * @param failure for {@link State#FAILED}, the message of the exception its {@code execute}
 *     threw (with the instance); for {@link State#REFUSED}, why; otherwise {@code null}
 */
public record StateMachineInfo(int id, String name, String version, long checkpointInstance, State state, String failure) {
    /** A state machine that has not failed and was not refused, before any version activation. */
    public StateMachineInfo(int id, String name, long checkpointInstance, State state) {
        this(id, name, null, checkpointInstance, state, null);
    }

    /** Lifecycle of a state machine within a group. */
    public enum State {
        /** Present and executing. */
        RUNNING,
        /** Known (commands for it were chosen) but not deployed: the group waits for it. */
        WAITING,
        /** Being restarted by the engine (checkpoint install or operator action). */
        RESTARTING,
        /**
         * Its execute threw on this node: it gets no more calls and the group waits at that
         * instance (other groups and nodes go on) until the service goes away and a service with
         * the same ID registers again, which resumes from its checkpoint by replaying the log.
         */
        FAILED,
        /**
         * A second service registered with an ID (and version) already in force for the group:
         * it is ignored until the service in force goes away, then takes over.
         */
        REFUSED,
        /**
         * Registered side by side with the version in force (another version of the same ID): it
         * executes nothing until its version is activated, then takes over from its checkpoint.
         */
        STANDBY,
        /**
         * Its state digest differed from the digest a majority of replicas reported for the same
         * instance (see {@link paxos.api.statemachine.DigestSupport}): this node stopped executing it
         * and reinstalls it from a majority replica's checkpoint if it can; the mark clears when a
         * later digest agrees again. Which instance and nodes: the node's status page.
         */
        DIVERGED
    }
}
