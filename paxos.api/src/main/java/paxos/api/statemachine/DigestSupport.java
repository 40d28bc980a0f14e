package paxos.api.statemachine;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An optional ability of a {@link StateMachine} (implement both on the same object): a short
 * digest of its state, which the engine compares across replicas to detect a replica whose state
 * silently departed from the others' although they all executed the same log (a non-deterministic
 * {@code execute}, two versions of a plugin during a rolling upgrade, a corrupted file).
 *
 * <p><b>When.</b> The engine calls {@link #digest} on the group's execution thread, right after
 * {@link StateMachine#execute} of the instance it names returned, and only at positions every
 * replica agrees on (every {@code digestInterval}-th instance of the group). Never concurrently with
 * {@code execute} for that group.
 *
 * <p><b>Contract.</b> The value must reflect exactly this state machine's state for {@code group}
 * after that instance — equal states give equal digests on every replica and after every restart
 * or checkpoint install, different states should give different digests. Deterministic (no clock,
 * no randomness, no object identity hash codes, no iteration order of a hash map). Cheap or
 * incremental: the call is on the execution path, so keep a running value updated by
 * {@code execute} (e.g. an order-independent sum of per-entry hashes, persisted with the state)
 * rather than walking the whole state. A state machine that cannot answer throws a
 * {@link RuntimeException}; the engine then skips that comparison (nothing stops).
 *
 * <p><b>Consequence.</b> A replica whose digest differs from the digest a majority of replicas
 * reported for the same instance marks this state machine {@code DIVERGED}, stops executing it, and
 * recovers by installing a checkpoint from a majority replica if it also implements
 * {@link CheckpointSupport}.
 */
@ConsumerType
public interface DigestSupport {

    /**
     * The digest of this state machine's state for {@code group} just after {@code instance}.
     *
     * @param group the group whose state is meant (one object may serve several groups)
     * @param instance the instance just executed; the state reflects every instance up to it
     * @return any 64-bit value; {@code 0} is as good as any other
     */
    long digest(int group, long instance);
}
