package paxos.node.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * A test state machine that remembers what it executed: a CRC32C chained over every executed
 * command's {@code (instance, index, length, value)} in execution order, the count, the last
 * executed instance, and (up to {@code entriesMax}) the entries themselves, so that a test can
 * check both "all replicas agree" (equal checksums) and "this acknowledged write is present"
 * (look it up in {@link #entries}).
 *
 * <p>In memory only: {@link #checkpointInstance} stays {@code -1}, so the engine replays the whole
 * retained log into a fresh instance at every start. Thread-safe: {@link #execute} runs on the
 * group's execution thread, the readers on any thread, all under this object's monitor.
 */
public final class ChecksumStateMachine implements StateMachine, DigestSupport {
    /** One executed command. */
    public record Entry(long instance, int index, byte[] value) {}

    /**
     * A consistent view.
     *
     * @param executedInstance the last instance executed ({@code -1} if none)
     * @param checksum the chained CRC32C over every executed command
     * @param count the number of executed commands
     */
    public record Snapshot(long executedInstance, long checksum, long count) {}

    private final int entriesMax;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[16];
    private final List<Entry> entries = new ArrayList<>();
    private long executedInstance = -1;
    private long count;

    /** @param entriesMax most entries kept for {@link #entries}, {@code >= 0}; the checksum covers all */
    public ChecksumStateMachine(int entriesMax) {
        if (entriesMax < 0) throw new IllegalArgumentException("entriesMax must be >= 0: " + entriesMax);
        this.entriesMax = entriesMax;
    }

    @Override
    public synchronized void execute(ExecutionBatch batch, ExecutionResults results) {
        for (Command c : batch.commands()) {
            putLong(0, c.instance());
            putInt(8, c.index());
            putInt(12, c.value().length);
            crc.update(header);
            crc.update(c.value());
            count++;
            if (entries.size() < entriesMax) entries.add(new Entry(c.instance(), c.index(), c.value()));
            results.complete(c.index(), count);
        }
        executedInstance = batch.instance();
    }

    /** The chained CRC32C over every command executed up to {@code instance}. */
    @Override
    public synchronized long digest(int group, long instance) {
        return crc.getValue();
    }

    /** The current position, checksum and count, taken together. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(executedInstance, crc.getValue(), count);
    }

    /** Up to {@code max} kept entries from position {@code from} (0-based, in execution order). */
    public synchronized List<Entry> entries(int from, int max) {
        if (from < 0 || from >= entries.size()) return List.of();
        return List.copyOf(entries.subList(from, Math.min(entries.size(), from + Math.max(0, max))));
    }

    /** True if more commands executed than {@code entriesMax} allowed to keep. */
    public synchronized boolean truncated() {
        return count > entries.size();
    }

    private void putLong(int at, long v) {
        putInt(at, (int) (v >>> 32));
        putInt(at + 4, (int) v);
    }

    private void putInt(int at, int v) {
        header[at] = (byte) (v >>> 24);
        header[at + 1] = (byte) (v >>> 16);
        header[at + 2] = (byte) (v >>> 8);
        header[at + 3] = (byte) v;
    }
}
