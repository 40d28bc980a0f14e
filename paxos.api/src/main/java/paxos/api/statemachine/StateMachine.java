package paxos.api.statemachine;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A deterministic state machine fed by one group's log.
 *
 * <p><b>Threads.</b> {@link #execute} is called by the group's single execution thread,
 * sequentially, never concurrently, in strictly increasing instance order. Other methods may be
 * called from other engine threads; reads served by the plugin (after
 * {@link paxos.api.PaxosNode#readBarrier}) run on the plugin's own threads, so a state machine
 * makes its reads safe against a concurrent {@code execute}.
 *
 * <p><b>Determinism.</b> {@code execute} must compute its effects from the commands' bytes and the
 * state machine's own state only — no clock, random source, environment or other group — so that
 * every replica and every replay reaches the same state. It must be idempotent by position: when
 * called with an instance at or below its {@link #checkpointInstance(int)} (possible only if the
 * engine cannot tell, e.g. after restoring an older copy), it ignores the call.
 *
 * <p><b>Errors.</b> An application-level rejection (a failed compare-and-set, a missing key) is a
 * <em>result</em>, handed to {@link ExecutionResults#complete}. An exception thrown from
 * {@code execute} means the state machine can no longer follow the log: the engine stops calling
 * it on this node (its state becomes {@code FAILED} with the exception's message) and the group
 * waits at that instance; it does not retry and does not skip the batch. Other state machines and
 * groups go on. Once this service goes away and a service with the same ID registers again (a
 * fixed bundle, or the same one restarted), the engine asks it for its {@link #checkpointInstance}
 * and replays the retained log to it alone from there, then the group resumes: a restarted state
 * machine must therefore reload its state from its durable files, not keep what a failed call may
 * have half changed.
 */
@ConsumerType
public interface StateMachine {

    /**
     * Executes the commands of one chosen instance that are addressed to this state machine, in
     * batch order. {@code batch.commands()} may be empty (the instance carried nothing for this
     * state machine); implementations may use that call just to advance their position.
     *
     * @param batch the instance's commands for this state machine, in index order
     * @param results where to hand each command's result; only the proposing node's caller sees it
     * @throws Exception only if the state machine cannot continue; it is then stopped on this node (see above)
     */
    void execute(ExecutionBatch batch, ExecutionResults results) throws Exception;

    /**
     * The highest instance such that the effects of every command of every instance up to and
     * including it are in this state machine's durable state for {@code group}, or {@code -1} if none.
     *
     * <p>The engine reads it when the state machine appears (to replay from the next instance),
     * and from time to time to decide how much log to retain. It must never exceed what is
     * durable: a position covering a batch only partly, or an instance not yet executed, loses
     * commands after a crash. A state machine with no durable state returns {@code -1} and is
     * replayed from the start of the retained log each time it starts.
     */
    default long checkpointInstance(int group) {
        return -1;
    }
}
