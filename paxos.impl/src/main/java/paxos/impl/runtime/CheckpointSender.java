package paxos.impl.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import paxos.api.MasterInfo;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.StateMachine;

/**
 * The sending end of one checkpoint transfer: locks the checkpoint of every state machine of the
 * group, streams the files in chunks of bounded size with CRC32C, at most {@code windowChunks}
 * unacknowledged (so memory is bounded on both sides, and a slow receiver slows the sender
 * instead of filling the transport's queue), throttled to {@code bytesPerSecondMax}, and unlocks —
 * always, in a {@code finally}: also when the receiver aborts, disappears (no acknowledgement for
 * {@code idleTimeoutMillis}) or the node closes.
 *
 * <p>Threads: {@link #run} on a checkpoint sender thread (it blocks on file reads and on the
 * window); {@link #onAck} and {@link #cancel} from transport threads.
 */
final class CheckpointSender implements Runnable {
    private static final System.Logger LOG = System.getLogger(CheckpointSender.class.getName());

    private final int group;
    private final int peer;
    private final long transferId;
    private final Map<Integer, StateMachine> machines;
    private final LongFunction<MasterInfo> masterAt;
    private final LongFunction<Map<Integer, String>> versionsAt;
    private final LongFunction<CheckpointRequests> requestsAt;
    /** The group's membership history as this node persisted it (sent with the checkpoint), or null. */
    private volatile java.util.function.Supplier<byte[]> membership = () -> null;
    private final Predicate<CheckpointWire.Msg> send;
    private final CheckpointConfig config;
    private final int chunkBytes;
    private final Progress progress;
    private final Semaphore window;
    private volatile String cancelled;
    private volatile TransferOutcome cancelledAs = TransferOutcome.CANCELLED;
    private volatile long lastAckNanos = System.nanoTime();

    /** What the sender reports while it runs (status, retention pin). */
    interface Progress {
        /** The checkpoint is locked at {@code instance} (lowest part): keep the log above it. */
        void locked(long instance, long bytesTotal, int filesTotal);

        void sent(long bytes, int files);

        /** The transfer ended; {@code detail} says why it failed ({@code null} if it was {@link TransferOutcome#SENT}). */
        void finished(TransferOutcome outcome, String detail);
    }

    CheckpointSender(int group, int peer, long transferId, Map<Integer, StateMachine> machines, LongFunction<MasterInfo> masterAt,
                     Predicate<CheckpointWire.Msg> send, CheckpointConfig config, int chunkBytes, Progress progress) {
        this(group, peer, transferId, machines, masterAt, i -> Map.of(), i -> new CheckpointRequests(i, Map.of()), send, config,
                chunkBytes, progress);
    }

    /**
     * @param versionsAt the state machine versions in force just after an instance (sent with the master)
     * @param requestsAt the executed-requests table just after an instance, exactly (sent after the
     *     {@code Begin}); throws if this node cannot tell it
     */
    CheckpointSender(int group, int peer, long transferId, Map<Integer, StateMachine> machines, LongFunction<MasterInfo> masterAt,
                     LongFunction<Map<Integer, String>> versionsAt, LongFunction<CheckpointRequests> requestsAt,
                     Predicate<CheckpointWire.Msg> send, CheckpointConfig config, int chunkBytes, Progress progress) {
        this.versionsAt = versionsAt;
        this.requestsAt = requestsAt;
        this.group = group;
        this.peer = peer;
        this.transferId = transferId;
        this.machines = machines;
        this.masterAt = masterAt;
        this.send = send;
        this.config = config;
        this.chunkBytes = chunkBytes;
        this.progress = progress;
        this.window = new Semaphore(config.windowChunks());
    }

    long transferId() { return transferId; }
    int peer() { return peer; }
    int group() { return group; }

    /** The receiver wrote chunk {@code seq}. */
    void onAck(long seq) {
        lastAckNanos = System.nanoTime();
        window.release();
    }

    /**
     * Stops the transfer at the next chunk; the checkpoint is unlocked on the sender thread. It
     * ends {@code as} ({@link TransferOutcome#PEER_ABORTED} if the receiver asked for it,
     * {@link TransferOutcome#CANCELLED} if this node did).
     */
    void cancel(TransferOutcome as, String why) {
        cancelledAs = as;
        cancelled = why;
        window.release(1 << 16); // wake a blocked sender
    }

    /** Sends {@code history} (the membership history, read when the checkpoint is locked) with the checkpoint. */
    void membership(java.util.function.Supplier<byte[]> history) {
        membership = history;
    }

    @Override
    public void run() {
        List<Integer> locked = new ArrayList<>();
        TransferOutcome outcome = TransferOutcome.SENT;
        String detail = null;
        try {
            List<CheckpointWire.Part> parts = new ArrayList<>();
            List<CheckpointFiles> files = new ArrayList<>();
            for (Map.Entry<Integer, StateMachine> e : machines.entrySet()) {
                if (!(e.getValue() instanceof CheckpointSupport cs))
                    throw new Stop(TransferOutcome.UNSUPPORTED, "state machine " + e.getKey() + " of group " + group
                            + " cannot make checkpoints");
                CheckpointFiles f = cs.lockCheckpoint(group);
                locked.add(e.getKey());
                long bytes = 0;
                for (String name : f.files()) bytes += Files.size(f.directory().resolve(name));
                parts.add(new CheckpointWire.Part(e.getKey(), f.instance(), f.files().size(), bytes));
                files.add(f);
            }
            if (parts.isEmpty()) throw new Stop(TransferOutcome.UNSUPPORTED, "group " + group + " has no state machine here");
            long lowest = parts.stream().mapToLong(CheckpointWire.Part::instance).min().orElseThrow();
            progress.locked(lowest, parts.stream().mapToLong(CheckpointWire.Part::bytes).sum(),
                    parts.stream().mapToInt(CheckpointWire.Part::files).sum());
            MasterInfo master = masterAt.apply(lowest);
            put(new CheckpointWire.Begin(group, transferId, master, parts, versionsAt.apply(lowest), membership.get()));
            sendRequests(requestsAt.apply(lowest), lowest);
            long seq = 0;
            long bytes = 0;
            int fileCount = 0;
            long startNanos = System.nanoTime();
            ByteBuffer buf = ByteBuffer.allocate(chunkBytes);
            for (int i = 0; i < parts.size(); i++) {
                CheckpointFiles f = files.get(i);
                for (String name : f.files()) {
                    Path p = f.directory().resolve(name);
                    long size = Files.size(p);
                    put(new CheckpointWire.FileStart(group, transferId, parts.get(i).stateMachineId(), name, size));
                    CRC32C fileCrc = new CRC32C();
                    long sent = 0;
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        while (sent < size) {
                            buf.clear().limit((int) Math.min(chunkBytes, size - sent));
                            while (buf.hasRemaining()) if (ch.read(buf) < 0) throw new IOException("file " + p + " shrank while locked");
                            byte[] data = java.util.Arrays.copyOf(buf.array(), buf.position());
                            CRC32C crc = new CRC32C();
                            crc.update(data);
                            fileCrc.update(data);
                            acquireWindow();
                            throttle(startNanos, bytes);
                            put(new CheckpointWire.Chunk(group, transferId, seq++, (int) crc.getValue(), data));
                            sent += data.length;
                            bytes += data.length;
                            progress.sent(bytes, fileCount);
                        }
                    }
                    put(new CheckpointWire.FileEnd(group, transferId, (int) fileCrc.getValue()));
                    progress.sent(bytes, ++fileCount);
                }
            }
            put(new CheckpointWire.Done(group, transferId, fileCount, bytes));
        } catch (IOException | RuntimeException e) {
            outcome = e instanceof Stop stop ? stop.outcome : TransferOutcome.FAILED;
            detail = e.getMessage();
            if (cancelled == null) send.test(new CheckpointWire.Abort(group, transferId, e.getMessage()));
            LOG.log(System.Logger.Level.INFO, "group {0}: checkpoint to node {1} stopped: {2}", group, peer, e.getMessage());
        } catch (InterruptedException e) {
            outcome = TransferOutcome.CANCELLED;
            detail = "node closing";
            send.test(new CheckpointWire.Abort(group, transferId, "sender closing"));
            Thread.currentThread().interrupt();
        } finally {
            for (int id : locked) {
                try {
                    ((CheckpointSupport) machines.get(id)).unlockCheckpoint(group);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "group {0}: unlocking the checkpoint of state machine {1} failed: {2}", group, id, e);
                }
            }
            progress.finished(outcome, detail);
        }
    }

    /** The executed-requests table, in pieces of at most a chunk (a full table is larger than a transport message). */
    private void sendRequests(CheckpointRequests table, long lowest) throws IOException {
        if (table.instance() != lowest)
            throw new IllegalStateException("executed-requests table at instance " + table.instance() + ", checkpoint at " + lowest);
        byte[] bytes = table.encode();
        for (int offset = 0; offset < bytes.length; offset += chunkBytes) {
            byte[] piece = java.util.Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + chunkBytes));
            put(new CheckpointWire.RequestsPart(group, transferId, offset, bytes.length, piece));
        }
    }

    private void acquireWindow() throws IOException, InterruptedException {
        while (!window.tryAcquire(Math.min(config.idleTimeoutMillis(), 200), TimeUnit.MILLISECONDS)) {
            checkAlive();
        }
        checkAlive();
    }

    private void checkAlive() throws IOException {
        if (cancelled != null) throw new Stop(cancelledAs, "cancelled: " + cancelled);
        if (System.nanoTime() - lastAckNanos > TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis()))
            throw new Stop(TransferOutcome.TIMED_OUT, "receiver idle for " + config.idleTimeoutMillis() + " ms");
    }

    /** Sends, retrying while the transport's queue is full, until the idle timeout. */
    private void put(CheckpointWire.Msg m) throws IOException {
        long start = System.nanoTime();
        while (!send.test(m)) {
            if (cancelled != null) throw new Stop(cancelledAs, "cancelled: " + cancelled);
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis()))
                throw new Stop(TransferOutcome.PEER_GONE, "node " + peer + " unreachable");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // queue full or reconnecting: back off briefly
        }
    }

    /** Token-bucket-like pacing: never ahead of bytesPerSecondMax since the start. */
    private void throttle(long startNanos, long bytesSoFar) {
        long dueNanos = startNanos + (long) (bytesSoFar * 1e9 / config.bytesPerSecondMax());
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
    }

    /** A failure that knows its outcome; any other exception ends the transfer {@link TransferOutcome#FAILED}. */
    private static final class Stop extends IOException {
        final TransferOutcome outcome;

        Stop(TransferOutcome outcome, String message) {
            super(message);
            this.outcome = outcome;
        }
    }
}
