package paxos.impl.exec;

import paxos.api.PaxosException;

/**
 * The fate of one command proposed by this node, produced when its instance executed here. The
 * runtime completes the caller waiting for {@code requestId} with it.
 */
public sealed interface ExecOutcome {
    /** The request this outcome belongs to. */
    long requestId();

    /** The command's position inside its instance. */
    int index();

    /**
     * Executed at {@code (instance, index)}; {@code result} is what the state machine handed to
     * {@link paxos.api.statemachine.ExecutionResults#complete} (or {@code null}), or the
     * {@link paxos.api.MasterInfo} in force after a master claim.
     */
    record Completed(long requestId, long instance, int index, Object result) implements ExecOutcome {}

    /** Reached its log position but was not executed there (e.g. master changed). */
    record Failed(long requestId, long instance, int index, PaxosException error) implements ExecOutcome {}
}
