package paxos.node.tool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * The file-backed variant of {@link ChecksumStateMachine} for checkpoint tests: the same
 * (position, checksum, count) view, kept in an append-only file so that it survives restarts and
 * can be shipped to a node behind every retained log ({@link CheckpointSupport}).
 *
 * <p><b>Files.</b> Under the directory its factory passes: {@code data/executed.log} (the durable
 * state, replaced by a checkpoint install) and {@code checkpoint/} (a frozen copy while a
 * checkpoint is locked). One record per executed instance — {@code [bodyLength][body][crc32c]},
 * body = instance, checksum and count after it, then each command (index, length, bytes) — written
 * with one {@code write}, so an instance's effects and its position are one unit: at open, a torn
 * or corrupt tail record is cut off and the position is the last whole record's. Not fsynced: it
 * survives a killed process (the page cache keeps the write), not a power loss — enough for tests.
 *
 * <p><b>Checksum.</b> A 64-bit chain over every command's CRC32C of {@code (instance, index,
 * length, value)}, in execution order; equal on replicas at the same position. Unlike
 * {@link ChecksumStateMachine}'s running CRC it can be restored from the file.
 *
 * <p>Threads: {@link #execute} on the group's execution thread; readers and checkpoint calls on any
 * thread; state under this object's monitor. The checkpoint copy runs outside it (the first
 * {@code length} bytes of an append-only file never change).
 */
public final class FileChecksumStateMachine implements StateMachine, CheckpointSupport, DigestSupport, AutoCloseable {
    static final String FILE = "executed.log";
    private static final int RECORD_BYTES_MAX = 256 << 20;

    private final Path data;
    private final Path checkpoint;
    private final int entriesMax;
    private final FileChannel channel;
    private final List<ChecksumStateMachine.Entry> entries = new ArrayList<>();
    private final long openedInstance;
    private long executedInstance = -1;
    private long checksum;
    private long count;
    private long length;
    private boolean locked;

    private FileChecksumStateMachine(Path base, int entriesMax) throws IOException {
        if (entriesMax < 0) throw new IllegalArgumentException("entriesMax must be >= 0: " + entriesMax);
        this.data = base.resolve("data");
        this.checkpoint = base.resolve("checkpoint");
        this.entriesMax = entriesMax;
        deleteTree(checkpoint); // a copy left by a process that died while sending it
        Files.createDirectories(data);
        this.channel = FileChannel.open(data.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            restore();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.openedInstance = executedInstance;
    }

    /**
     * Opens (creating if missing) the state under {@code base}.
     *
     * @param restartDelayMillis extra time {@code open} and {@link #close} take, {@code >= 0}: lets a
     *     test kill the process while a checkpoint install restarts the state machine
     */
    public static FileChecksumStateMachine open(Path base, int entriesMax, long restartDelayMillis) throws IOException {
        pause(restartDelayMillis);
        return new FileChecksumStateMachine(base, entriesMax);
    }

    /** Sleeps for the configured restart delay (a simulated slow restore, not a wait for a condition). */
    static void pause(long millis) throws IOException {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public synchronized void execute(ExecutionBatch batch, ExecutionResults results) throws IOException {
        if (batch.instance() <= executedInstance) return; // a replay of what the file already holds
        int size = 8 + 8 + 8 + 4;
        for (Command c : batch.commands()) size += 8 + c.value().length;
        ByteBuffer b = ByteBuffer.allocate(4 + size + 4);
        b.putInt(size).position(4 + 28);
        long sum = checksum;
        long n = count;
        CRC32C crc = new CRC32C();
        ByteBuffer header = ByteBuffer.allocate(16);
        for (Command c : batch.commands()) {
            header.clear();
            header.putLong(batch.instance()).putInt(c.index()).putInt(c.value().length);
            crc.reset();
            crc.update(header.array());
            crc.update(c.value());
            sum = Long.rotateLeft(sum, 17) * 0x9E3779B97F4A7C15L + crc.getValue();
            n++;
            b.putInt(c.index()).putInt(c.value().length).put(c.value());
        }
        b.putLong(4, batch.instance()).putLong(12, sum).putLong(20, n).putInt(28, batch.commands().size());
        crc.reset();
        crc.update(b.array(), 4, size);
        b.putInt((int) crc.getValue()).flip();
        while (b.hasRemaining()) channel.write(b, length + b.position());
        length += b.limit();
        long before = count;
        for (Command c : batch.commands()) {
            before++;
            if (entries.size() < entriesMax) entries.add(new ChecksumStateMachine.Entry(batch.instance(), c.index(), c.value()));
            results.complete(c.index(), before);
        }
        executedInstance = batch.instance();
        checksum = sum;
        count = n;
    }

    @Override
    public synchronized long checkpointInstance(int group) {
        return executedInstance;
    }

    /** The chained checksum: a function of every command executed up to {@code instance}, restored from the file. */
    @Override
    public synchronized long digest(int group, long instance) {
        return checksum;
    }

    /** The current position, checksum and count, taken together. */
    public synchronized ChecksumStateMachine.Snapshot snapshot() {
        return new ChecksumStateMachine.Snapshot(executedInstance, checksum, count);
    }

    /** The position the file held when this object opened it (after any install recovery). */
    public long openedInstance() {
        return openedInstance;
    }

    /** Up to {@code max} kept entries from position {@code from} (0-based, in execution order). */
    public synchronized List<ChecksumStateMachine.Entry> entries(int from, int max) {
        if (from < 0 || from >= entries.size()) return List.of();
        return List.copyOf(entries.subList(from, Math.min(entries.size(), from + Math.max(0, max))));
    }

    /** True if more commands executed than {@code entriesMax} allowed to keep. */
    public synchronized boolean truncated() {
        return count > entries.size();
    }

    @Override
    public CheckpointFiles lockCheckpoint(int group) throws IOException {
        long bytes;
        long instance;
        synchronized (this) {
            if (locked) throw new IOException("a checkpoint of group " + group + " is already locked");
            locked = true;
            bytes = length;
            instance = executedInstance;
        }
        try {
            deleteTree(checkpoint);
            Files.createDirectories(checkpoint);
            try (FileChannel out = FileChannel.open(checkpoint.resolve(FILE), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                for (long at = 0; at < bytes; ) at += channel.transferTo(at, bytes - at, out);
            }
            return new CheckpointFiles(instance, checkpoint, List.of(FILE));
        } catch (IOException | RuntimeException e) {
            unlockCheckpoint(group);
            throw e;
        }
    }

    @Override
    public void unlockCheckpoint(int group) {
        synchronized (this) {
            locked = false;
        }
        try {
            deleteTree(checkpoint);
        } catch (IOException e) {
            // the next lock or open deletes it again; nothing is lost by leaving it
        }
    }

    @Override
    public Path dataDirectory(int group) {
        return data;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    /** Reads every whole record; cuts a torn or corrupt tail (a write the process did not finish). */
    private void restore() throws IOException {
        long size = channel.size();
        ByteBuffer lengthBuf = ByteBuffer.allocate(4);
        CRC32C crc = new CRC32C();
        long at = 0;
        while (at + 4 <= size) {
            lengthBuf.clear();
            readFully(lengthBuf, at);
            int body = lengthBuf.getInt(0);
            if (body < 28 || body > RECORD_BYTES_MAX || at + 4 + body + 4 > size) break;
            ByteBuffer r = ByteBuffer.allocate(body + 4);
            readFully(r, at + 4);
            crc.reset();
            crc.update(r.array(), 0, body);
            if ((int) crc.getValue() != r.getInt(body)) break;
            long instance = r.getLong(0);
            r.position(28);
            for (int i = 0, n = r.getInt(24); i < n; i++) {
                int index = r.getInt();
                byte[] value = new byte[r.getInt()];
                r.get(value);
                if (entries.size() < entriesMax) entries.add(new ChecksumStateMachine.Entry(instance, index, value));
            }
            executedInstance = instance;
            checksum = r.getLong(8);
            count = r.getLong(16);
            at += 4 + body + 4;
        }
        if (at < size) channel.truncate(at);
        length = at;
    }

    private void readFully(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b, at + b.position()) < 0) throw new IOException("unexpected end of " + data.resolve(FILE));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
