package paxos.api;

/** The lifecycle state of a group on one node, as shown in {@link GroupStatus}. */
public enum GroupState {
    /** Opening its log and restoring state machines; not serving yet. */
    STARTING,
    /** Executing chosen values as they come. */
    RUNNING,
    /**
     * Execution is blocked on a state machine that is not deployed, or that failed on this node
     * (see {@link GroupStatus#waitingFor()} and {@link StateMachineInfo#failure()}); it resumes once
     * the state machine registers (again).
     */
    WAITING,
    /** Behind the retained log of every reachable peer; receiving a checkpoint. */
    CATCHING_UP,
    /** Stopped with an error (undecodable log entry, failed log write, inconsistent start); see {@link GroupStatus#failure()}. */
    FAILED,
    /** The node is shutting down. */
    STOPPED
}
