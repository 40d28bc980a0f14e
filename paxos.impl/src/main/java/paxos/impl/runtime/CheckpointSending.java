package paxos.impl.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import paxos.api.MasterInfo;

/**
 * The sending side of checkpoint catch-up: starts a {@link CheckpointSender} per request of a
 * peer (at most {@code sendersMax} at once; more are refused with "busy"), routes the
 * receiver's acknowledgements and aborts to it, pins the log above the checkpoint it sends
 * ({@link RetentionPins}) and shows its progress ({@link TransferTrack.Board}).
 *
 * <p><b>Threads.</b> {@link #start}, {@link #onAck} and {@link #onAbort} on transport threads
 * (never block: each sender runs on a thread of {@code workers}); {@link #cancelAll} on the
 * closing thread. <b>Failures.</b> A sender ends with a {@link TransferOutcome}; nothing here
 * throws to the caller.
 */
final class CheckpointSending {
    private final CheckpointService.Host host;
    private final StateMachineRegistry registry;
    private final CheckpointConfig config;
    private final ExecutorService workers;
    private final RetentionPins pins;
    private final TransferTrack.Board board;
    private final Map<Long, CheckpointSender> outgoing = new ConcurrentHashMap<>();

    CheckpointSending(CheckpointService.Host host, StateMachineRegistry registry, CheckpointConfig config,
                      ExecutorService workers, TransferTrack.Board board) {
        this.host = host;
        this.registry = registry;
        this.config = config;
        this.workers = workers;
        this.pins = new RetentionPins(host::runner, config.retentionPinMillis());
        this.board = board;
    }

    /** Node {@code from} asks for a checkpoint of its request's group. */
    void start(int from, CheckpointWire.Request r) {
        int g = r.group();
        // A receiver asks again only after losing its transfer (it restarted, or gave up on it): the
        // old one would keep the state machines' checkpoint locked until the idle timeout and make
        // every new attempt fail with "already locked", so it gives way now (it unlocks on its thread).
        for (CheckpointSender s : outgoing.values()) {
            if (s.peer() == from && s.group() == g && s.transferId() != r.transferId())
                s.cancel(TransferOutcome.CANCELLED, "superseded by transfer " + r.transferId() + " of the same receiver");
        }
        if (outgoing.size() >= config.sendersMax()) {
            host.send(from, g, CheckpointWire.encode(new CheckpointWire.Abort(g, r.transferId(), "busy: "
                    + config.sendersMax() + " checkpoint transfers already running")));
            return;
        }
        TransferTrack track = new TransferTrack(g, "send", from, r.transferId(), "sending");
        board.show(track);
        int chunk = Math.max(1024, Math.min(config.chunkBytes(), host.maxMessageBytes() / 2 - CheckpointWire.CHUNK_OVERHEAD_BYTES));
        CheckpointSender sender = new CheckpointSender(g, from, r.transferId(), registry.machines(g), inst -> masterAt(g, inst),
                inst -> versionsAt(g, inst), inst -> requestsAt(g, inst),
                m -> host.send(from, g, CheckpointWire.encode(m)), config, chunk, new CheckpointSender.Progress() {
                    @Override
                    public void locked(long instance, long bytesTotal, int filesTotal) {
                        pins.pin(r.transferId(), g, instance + 1);
                        track.update(0, bytesTotal, 0, filesTotal, instance);
                    }

                    @Override
                    public void sent(long bytes, int files) {
                        track.update(bytes, track.bytesTotal, files, track.filesTotal, track.instance);
                    }

                    @Override
                    public void finished(TransferOutcome outcome, String detail) {
                        outgoing.remove(r.transferId());
                        pins.release(r.transferId(), g);
                        track.finish(outcome, detail);
                    }
                });
        sender.membership(() -> {
            GroupRunner runner = host.runner(g);
            return runner == null ? null : runner.membershipHistory();
        });
        if (outgoing.putIfAbsent(r.transferId(), sender) != null) return;
        try {
            workers.execute(sender);
        } catch (RuntimeException closing) {
            outgoing.remove(r.transferId());
        }
    }

    /** The receiver wrote chunk {@code seq} of transfer {@code transferId}. */
    void onAck(int from, long transferId, long seq) {
        CheckpointSender s = outgoing.get(transferId);
        if (s != null && s.peer() == from) s.onAck(seq);
    }

    /** True while transfer {@code transferId} is sent from here. */
    boolean sends(long transferId) {
        return outgoing.containsKey(transferId);
    }

    /** The receiver gave transfer {@code transferId} up. */
    void onAbort(int from, long transferId, String reason) {
        CheckpointSender s = outgoing.get(transferId);
        if (s != null && s.peer() == from) s.cancel(TransferOutcome.PEER_ABORTED, "receiver aborted: " + reason);
    }

    /** Expires retention pins (engine clock thread). */
    void tick() {
        pins.tick();
    }

    /** Stops every running sender (node closing); each unlocks on its own thread. */
    void cancelAll() {
        for (CheckpointSender s : outgoing.values()) s.cancel(TransferOutcome.CANCELLED, "node closing");
    }

    private Map<Integer, String> versionsAt(int g, long instance) {
        try {
            return host.runner(g).versionsAt(instance).get(config.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell the state machine versions at instance " + instance + ": " + e, e);
        }
    }

    private CheckpointRequests requestsAt(int g, long instance) {
        try {
            return new CheckpointRequests(instance, host.runner(g).requestsAt(instance).get(config.idleTimeoutMillis(),
                    TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell the executed requests at instance " + instance + ": " + e, e);
        }
    }

    private MasterInfo masterAt(int g, long instance) {
        try {
            return host.runner(g).masterAt(instance).get(config.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell the master at instance " + instance + ": " + e, e);
        }
    }
}
