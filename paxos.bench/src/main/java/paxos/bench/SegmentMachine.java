package paxos.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * The catch-up benchmark's state machine for one group: it appends every command's value to
 * segment files, so that executing costs about what writing the bytes costs and the benchmark
 * measures the catch-up path rather than a store. A segment is closed (forced) after
 * {@value #SEGMENT_BYTES_MAX} bytes, and then a position file {@code pos-K} records the instance
 * that segments {@code 1..K} hold; closed files never change, so a checkpoint is simply the
 * closed segments and the newest position file (a lock closes the open segment first).
 * {@link #checkpointInstance} is the newest position file's instance. On open, anything beyond
 * the newest position file is discarded (the engine replays it from the log).
 *
 * <p>Threads: {@link #execute} on the group's execution thread, checkpoint calls on a transfer
 * thread; every method is synchronized.
 */
final class SegmentMachine implements StateMachine, CheckpointSupport, AutoCloseable {
    static final long SEGMENT_BYTES_MAX = 8L << 20;
    private static final String SEGMENT = "seg-";
    private static final String POSITION = "pos-";

    private final Path dir;
    private int closedSegments;
    private long closedInstance;
    private long applied;
    private long openBytes;
    private FileChannel open;

    /** Restores from {@code dir} (created if missing). */
    SegmentMachine(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        closedInstance = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith(POSITION)) continue;
                int k = Integer.parseInt(name.substring(POSITION.length()));
                if (k > closedSegments) {
                    closedSegments = k;
                    closedInstance = Long.parseLong(Files.readString(p, StandardCharsets.US_ASCII).trim());
                }
            }
        }
        applied = closedInstance;
        openSegment();
    }

    private void openSegment() throws IOException {
        open = FileChannel.open(dir.resolve(SEGMENT + (closedSegments + 1)), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        openBytes = 0;
    }

    @Override
    public synchronized void execute(ExecutionBatch batch, ExecutionResults results) throws IOException {
        if (batch.instance() > applied) {
            for (Command c : batch.commands()) {
                ByteBuffer b = ByteBuffer.wrap(c.value());
                while (b.hasRemaining()) openBytes += open.write(b);
            }
            applied = batch.instance();
            if (openBytes >= SEGMENT_BYTES_MAX) closeSegment();
        }
        for (Command c : batch.commands()) results.complete(c.index(), applied);
    }

    /** Forces and closes the open segment, records the position, opens the next. */
    private void closeSegment() throws IOException {
        open.force(false);
        open.close();
        Path tmp = dir.resolve("pos.tmp");
        Files.writeString(tmp, Long.toString(applied), StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(POSITION + (closedSegments + 1)));
        closedSegments++;
        closedInstance = applied;
        openSegment();
    }

    @Override
    public synchronized long checkpointInstance(int group) {
        return closedInstance;
    }

    @Override
    public synchronized CheckpointFiles lockCheckpoint(int group) throws IOException {
        if (closedSegments == 0 || openBytes > 0 || applied > closedInstance) closeSegment();
        List<String> files = new ArrayList<>();
        for (int k = 1; k <= closedSegments; k++) if (Files.exists(dir.resolve(SEGMENT + k))) files.add(SEGMENT + k);
        files.add(POSITION + closedSegments);
        return new CheckpointFiles(closedInstance, dir, files);
    }

    @Override
    public void unlockCheckpoint(int group) {
        // closed files never change: nothing was frozen
    }

    @Override
    public Path dataDirectory(int group) {
        return dir;
    }

    @Override
    public synchronized void close() throws IOException {
        if (!open.isOpen()) return;
        if (applied > closedInstance) closeSegment();
        open.close();
    }
}
