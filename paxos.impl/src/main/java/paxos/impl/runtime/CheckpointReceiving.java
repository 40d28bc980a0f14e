package paxos.impl.runtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import paxos.api.statemachine.CheckpointSupport;

/**
 * The receiving side of checkpoint catch-up: at most one incoming transfer per group, from
 * the request ({@link #start}) through the chunks ({@link CheckpointReceiver}, file I/O on a
 * serial queue per transfer) to the install ({@link CheckpointInstall}, on a worker thread).
 * Whether and from whom to pull is not decided here but by the checkpoint service; how each
 * transfer ended goes back to it through {@link Ended}, so it can time the next attempt.
 *
 * <p><b>Threads.</b> {@link #start} from the transport or clock thread that decided to pull;
 * {@link #onData} on transport threads (never blocks); {@link #tick} on the engine clock;
 * {@link #discardAll} on the closing thread. <b>Failures.</b> Every transfer ends with a
 * {@link TransferOutcome} on its {@link TransferTrack} and an Abort to the sender when it failed
 * here; nothing throws to the caller.
 */
final class CheckpointReceiving {
    private static final System.Logger LOG = System.getLogger(CheckpointReceiving.class.getName());

    /** What the checkpoint service learns of each transfer's end (called before the group may pull again). */
    interface Ended {
        /** The transfer failed before its install. */
        void failed(int group);

        /** The install ended; {@code installed} false if it failed. */
        void installEnded(int group, boolean installed);
    }

    /** One incoming transfer. */
    private final class Incoming {
        final int peer;
        final long transferId;
        final CheckpointReceiver receiver;
        final SerialExecutor io;
        final TransferTrack track;
        volatile long lastNanos = System.nanoTime();
        volatile boolean finished;

        Incoming(int group, int peer, long transferId) {
            this.peer = peer;
            this.transferId = transferId;
            this.track = new TransferTrack(group, "receive", peer, transferId, "requesting");
            this.receiver = new CheckpointReceiver(group, transferId, id -> targetOf(group, id),
                    m -> host.send(peer, group, CheckpointWire.encode(m)));
            this.io = new SerialExecutor(ioPool, (t, e) -> fail(group, this, TransferOutcome.FAILED, "internal error: " + e));
        }
    }

    private final CheckpointService.Host host;
    private final StateMachineRegistry registry;
    private final CheckpointConfig config;
    private final CheckpointInstall install;
    private final ExecutorService ioPool;
    private final ExecutorService workers;
    private final TransferTrack.Board board;
    private final Supplier<StateMachineLifecycle> lifecycle;
    private final Ended ended;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, Incoming> incoming = new ConcurrentHashMap<>();

    CheckpointReceiving(CheckpointService.Host host, StateMachineRegistry registry, CheckpointConfig config,
                        CheckpointInstall install, ExecutorService ioPool, ExecutorService workers, TransferTrack.Board board,
                        Supplier<StateMachineLifecycle> lifecycle, Ended ended) {
        this.host = host;
        this.registry = registry;
        this.config = config;
        this.install = install;
        this.ioPool = ioPool;
        this.workers = workers;
        this.board = board;
        this.lifecycle = lifecycle;
        this.ended = ended;
    }

    /** True while {@code group} receives or installs a checkpoint. */
    boolean active(int group) {
        return incoming.containsKey(group);
    }

    /** Asks {@code peer} for a checkpoint of group {@code g} from {@code need} on; false if one is already coming. */
    boolean start(int g, int peer, long need, String why) {
        Incoming in = new Incoming(g, peer, random.nextLong() & Long.MAX_VALUE);
        if (incoming.putIfAbsent(g, in) != null) return false;
        board.show(in.track);
        LOG.log(Level.INFO, "group {0}: {1}; pulling a checkpoint from node {2}", g, why, peer);
        host.send(peer, g, CheckpointWire.encode(new CheckpointWire.Request(g, in.transferId, need)));
        return true;
    }

    /** A message of an incoming transfer (Begin, file, chunk, Done, or the sender's Abort). */
    void onData(int from, int group, CheckpointWire.Msg m) {
        Incoming in = incoming.get(group);
        if (in == null || in.peer != from || in.transferId != m.transferId() || in.finished) return;
        in.lastNanos = System.nanoTime();
        in.io.execute(() -> receive(group, in, m));
    }

    /** Times out incoming transfers without progress for the idle timeout (engine clock thread). */
    void tick() {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Incoming> e : incoming.entrySet()) {
            Incoming in = e.getValue();
            if (!in.finished && now - in.lastNanos > TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis()))
                fail(e.getKey(), in, TransferOutcome.TIMED_OUT, "no progress from node " + in.peer + " for "
                        + config.idleTimeoutMillis() + " ms");
        }
    }

    /** Deletes what every incoming transfer received so far (node closing). */
    void discardAll() {
        for (Incoming in : incoming.values()) in.io.execute(in.receiver::discard);
    }

    private Path targetOf(int group, int id) {
        StateMachineRegistry.Registration r = registry.inForce(group, id);
        return r != null && r.machine() instanceof CheckpointSupport cs ? cs.dataDirectory(group) : null;
    }

    private void receive(int group, Incoming in, CheckpointWire.Msg m) {
        if (in.finished) return;
        try {
            if (m instanceof CheckpointWire.Begin) in.track.phase = "receiving";
            boolean complete = in.receiver.handle(m);
            in.track.update(in.receiver.bytesDone(), in.receiver.bytesTotal(), in.receiver.filesDone(),
                    in.receiver.filesTotal(), in.receiver.lowestInstance());
            if (complete) {
                in.finished = true;
                in.track.phase = "installing";
                workers.execute(() -> install(group, in));
            }
        } catch (CheckpointReceiver.TransferException e) {
            fail(group, in, e.outcome(), e.getMessage());
        } catch (IOException e) {
            fail(group, in, TransferOutcome.FAILED, e.getMessage());
        }
    }

    private void fail(int group, Incoming in, TransferOutcome outcome, String why) {
        in.finished = true;
        host.send(in.peer, group, CheckpointWire.encode(new CheckpointWire.Abort(group, in.transferId, why)));
        in.io.execute(in.receiver::discard);
        in.track.finish(outcome, why);
        ended.failed(group);
        incoming.remove(group, in);
        LOG.log(Level.WARNING, "group {0}: checkpoint transfer from node {1} failed: {2}", group, in.peer, why);
    }

    private void install(int group, Incoming in) {
        CheckpointInstall.Result result = install.install(group, in.receiver, in.peer, lifecycle.get());
        in.track.finish(result.outcome(), result.detail());
        ended.installEnded(group, result.installed());
        incoming.remove(group, in);
        if (result.installed())
            LOG.log(Level.INFO, "group {0}: installed a checkpoint at instance {1} from node {2}", group,
                    in.receiver.lowestInstance(), in.peer);
    }
}
