package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/** Records every executed command as "instance:index:value" and answers with the running count. */
class RecordingStateMachine implements StateMachine {
    final List<String> executed = new ArrayList<>();
    private final CRC32C checksum = new CRC32C();

    @Override
    public synchronized void execute(ExecutionBatch batch, ExecutionResults results) {
        for (Command c : batch.commands()) {
            String entry = c.instance() + ":" + c.index() + ":" + new String(c.value());
            executed.add(entry);
            checksum.update(entry.getBytes());
            results.complete(c.index(), executed.size());
        }
    }

    synchronized List<String> snapshot() {
        return List.copyOf(executed);
    }

    synchronized int size() {
        return executed.size();
    }
}
