package paxos.api;

/**
 * One state machine of a group as the engine sees it.
 *
 * @param id the state machine ID
 * @param name the name it registered with, or {@code ""}
 * @param checkpointInstance its last reported checkpoint position ({@code -1} if none)
 * @param state what it is doing
 */
public record StateMachineInfo(int id, String name, long checkpointInstance, State state) {
    /** Lifecycle of a state machine within a group. */
    public enum State {
        /** Present and executing. */
        RUNNING,
        /** Known (commands for it were chosen) but not deployed: the group waits for it. */
        WAITING,
        /** Being restarted by the engine (checkpoint install or operator action). */
        RESTARTING,
        /** Its execute threw; the group stopped. */
        FAILED,
        /**
         * Its state digest differed from the digest a majority of replicas reported for the same
         * instance (see {@link paxos.api.statemachine.DigestSupport}): this node stopped executing it
         * and reinstalls it from a majority replica's checkpoint if it can; the mark clears when a
         * later digest agrees again. Which instance and nodes: the node's status page.
         */
        DIVERGED
    }
}
