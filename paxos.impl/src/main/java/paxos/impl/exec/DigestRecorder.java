package paxos.impl.exec;

import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.StateMachine;

/**
 * Takes the digest of every {@link DigestSupport} state machine at the agreed positions: right
 * after it executed an instance {@code i} with {@code i % interval == interval - 1}. The positions
 * depend on the log only, so replicas take digests at the same instances and can compare them.
 * Pure (no I/O, clock or randomness): the simulator runs it as production does.
 */
public final class DigestRecorder implements ExecutionObserver {
    /** Where a digest goes; called on the execution thread. */
    @FunctionalInterface
    public interface Sink {
        void digest(int stateMachineId, long instance, long digest);
    }

    private final int group;
    private final int interval;
    private final Sink sink;
    private long skipped;

    /** @param interval instances between digests, {@code >= 1}; must agree cluster-wide to compare every digest */
    public DigestRecorder(int group, int interval, Sink sink) {
        if (interval < 1) throw new IllegalArgumentException("digest interval must be >= 1: " + interval);
        this.group = group;
        this.interval = interval;
        this.sink = sink;
    }

    /** True if replicas take digests after {@code instance}. */
    public static boolean isDigestPoint(long instance, int interval) {
        return instance % interval == interval - 1;
    }

    @Override
    public void executed(int stateMachineId, StateMachine machine, long instance) {
        if (!isDigestPoint(instance, interval) || !(machine instanceof DigestSupport ds)) return;
        long d;
        try {
            d = ds.digest(group, instance);
        } catch (RuntimeException e) {
            skipped++; // the contract lets a state machine decline; only this comparison is lost
            return;
        }
        sink.digest(stateMachineId, instance, d);
    }

    /** Digests a state machine declined to give (threw). */
    public long skipped() {
        return skipped;
    }
}
