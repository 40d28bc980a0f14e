package paxos.testkit;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;

/**
 * The {@link ExecutionResults} of one batch as the engine hands them over: rejects an index not in
 * the batch, keeps the first result per index, awaits every command, and counts calls made after
 * the {@code execute} call returned ({@link #finish()}), which the contract forbids.
 * Used on the execution thread only.
 */
public final class RecordingResults implements ExecutionResults {
    private final ExecutionBatch batch;
    private final Set<Integer> indexes = new HashSet<>();
    private final Map<Integer, Object> byIndex = new LinkedHashMap<>();
    private boolean finished;
    private int lateCalls;

    public RecordingResults(ExecutionBatch batch) {
        this.batch = batch;
        for (Command c : batch.commands()) indexes.add(c.index());
    }

    @Override
    public void complete(int index, Object result) {
        if (finished) lateCalls++;
        if (!indexes.contains(index))
            throw new IllegalArgumentException("no command of instance " + batch.instance() + " has index " + index);
        byIndex.putIfAbsent(index, result);
    }

    @Override
    public boolean isAwaited(int index) {
        if (finished) lateCalls++;
        return indexes.contains(index);
    }

    /** Marks the end of the {@code execute} call. */
    public void finish() {
        finished = true;
    }

    public ExecutionBatch batch() {
        return batch;
    }

    /** True if the batch holds a command with that index. */
    public boolean inBatch(int index) {
        return indexes.contains(index);
    }

    /** The results handed over, by index, in the order of their first completion. */
    public Map<Integer, Object> byIndex() {
        return Collections.unmodifiableMap(byIndex);
    }

    /** Calls made after {@link #finish()}. */
    public int lateCalls() {
        return lateCalls;
    }
}
