package paxos.plugin.support.store;

import java.io.IOException;
import java.nio.file.Path;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * Forwards the state machine SPI to a delegate, so that a DS component (whose constructor reads
 * its configuration) can register itself as the state machine service while the state machine
 * proper stays a plain class that unit tests create with {@code new}.
 *
 * @param <T> the delegate: a state machine with checkpoints and a digest
 */
public abstract class DelegatingStateMachine<T extends StateMachine & CheckpointSupport & DigestSupport>
        implements StateMachine, CheckpointSupport, DigestSupport {
    private final T delegate;

    protected DelegatingStateMachine(T delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) throws Exception {
        delegate.execute(batch, results);
    }

    @Override
    public long checkpointInstance(int group) {
        return delegate.checkpointInstance(group);
    }

    @Override
    public long digest(int group, long instance) {
        return delegate.digest(group, instance);
    }

    @Override
    public CheckpointFiles lockCheckpoint(int group) throws IOException {
        return delegate.lockCheckpoint(group);
    }

    @Override
    public void unlockCheckpoint(int group) {
        delegate.unlockCheckpoint(group);
    }

    @Override
    public Path dataDirectory(int group) {
        return delegate.dataDirectory(group);
    }
}
