package paxos.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.internal.KvStateMachine;

/**
 * The KV state machine with a deliberate non-determinism: while {@link #armed}, the next put of
 * key {@value #POISON} stores another value than the one proposed — on this node only, once (as a
 * plugin version that interprets a command differently would). Everything else is the real KV.
 */
final class FaultyKv implements StateMachine, CheckpointSupport, DigestSupport, AutoCloseable {
    static final String POISON = "poison";
    private final KvStateMachine kv;
    private final AtomicBoolean armed;

    FaultyKv(Path data, AtomicBoolean armed) {
        this.kv = new KvStateMachine(data);
        this.armed = armed;
    }

    KvStateMachine kv() {
        return kv;
    }

    @Override
    public void execute(ExecutionBatch batch, ExecutionResults results) {
        List<Command> commands = new ArrayList<>(batch.commands().size());
        for (Command c : batch.commands()) {
            KvCommand k = KvCommand.decode(c.value());
            if (k.key().equals(POISON) && k.op() == KvCommand.Op.PUT && armed.compareAndSet(true, false))
                c = new Command(c.instance(), c.index(), KvCommand.put(POISON, "not what was proposed".getBytes()).encode(),
                        c.masterVersion());
            commands.add(c);
        }
        kv.execute(new ExecutionBatch(batch.group(), batch.instance(), commands), results);
    }

    @Override public long checkpointInstance(int group) { return kv.checkpointInstance(group); }
    @Override public long digest(int group, long instance) { return kv.digest(group, instance); }
    @Override public CheckpointFiles lockCheckpoint(int group) throws IOException { return kv.lockCheckpoint(group); }
    @Override public void unlockCheckpoint(int group) { kv.unlockCheckpoint(group); }
    @Override public Path dataDirectory(int group) { return kv.dataDirectory(group); }
    @Override public void close() throws IOException { kv.close(); }
}
