package paxos.impl.runtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.StateMachine;

/**
 * Checkpoint catch-up of every group of one engine, in the runtime (the core knows nothing of
 * it): answers catch-up requests below the retained log with "compacted", decides when a group
 * must pull a checkpoint (every reachable peer answered "compacted" for the instance it needs,
 * or a lagging peer cannot serve it either), and routes checkpoint messages to the parts that
 * own them: {@link CheckpointSending} (transfers to peers, with their {@link RetentionPins}),
 * {@link CheckpointReceiving} (transfers from a peer) and {@link CheckpointInstall} (restarting
 * only that group's state machines through the {@link StateMachineLifecycle} — never by exiting
 * the process). Every transfer's progress and {@link TransferOutcome} is on one
 * {@link TransferTrack.Board} ({@link #transfers()}).
 *
 * <p>Registrations are not kept here: the {@link StateMachineRegistry} is their one owner (and
 * holds back a group's registrations while it installs a checkpoint).
 *
 * <p><b>Threads.</b> {@link #onMessage} on transport threads (never blocks: file I/O runs on a
 * serial queue per incoming transfer); {@link #tick} on the engine clock; sending and installing
 * on threads of their own, one per transfer. Groups are independent: several installs run at once,
 * each restarting only its own group's state machines.
 */
final class CheckpointService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CheckpointService.class.getName());

    /** What the service needs of its engine. */
    interface Host {
        GroupRunner runner(int group);

        /** Builds a runner for {@code group} from the store and the given state machines (not yet in use). */
        GroupRunner rebuild(int group, Map<Integer, StateMachine> machines);

        /** Puts {@code runner} in place of the group's current one. */
        void replace(int group, GroupRunner runner);

        /** Peers connected and authenticated now. */
        List<Integer> reachablePeers();

        boolean send(int toNode, int group, byte[] message);

        int maxMessageBytes();
    }

    private record Note(long minRetained, long atNanos) {}

    private final Host host;
    private final LogStore store;
    private final CheckpointConfig config;
    private final CheckpointInstaller installer;
    private final ExecutorService ioPool;
    private final ExecutorService workers;
    private final StateMachineRegistry registry;
    private final TransferTrack.Board board = new TransferTrack.Board();
    private final CheckpointInstall install;
    private final CheckpointSending sending;
    private final CheckpointReceiving receiving;
    private final Map<Integer, Map<Integer, Note>> notes = new ConcurrentHashMap<>();
    private final Map<Integer, Long> retryAtNanos = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> failuresInARow = new ConcurrentHashMap<>();
    private volatile StateMachineLifecycle lifecycle;
    private volatile boolean closed;

    CheckpointService(Host host, LogStore store, CheckpointConfig config, StateMachineRegistry registry) {
        this.host = host;
        this.registry = registry;
        this.store = store;
        this.config = config;
        this.installer = new CheckpointInstaller(config.stagingDirectory());
        this.ioPool = Executors.newFixedThreadPool(2, EngineThreads.daemon("paxos-ckpt-io"));
        this.workers = Executors.newCachedThreadPool(EngineThreads.daemon("paxos-ckpt"));
        this.install = new CheckpointInstall(host, store, registry, installer, () -> closed);
        this.sending = new CheckpointSending(host, registry, config, workers, board);
        this.receiving = new CheckpointReceiving(host, registry, config, install, ioPool, workers, board, () -> lifecycle,
                new CheckpointReceiving.Ended() {
                    @Override
                    public void failed(int group) {
                        backOff(group);
                    }

                    @Override
                    public void installEnded(int group, boolean installed) {
                        if (!installed) backOff(group);
                        notes.remove(group);
                        if (installed) failuresInARow.remove(group);
                    }
                });
    }

    CheckpointInstaller installer() {
        return installer;
    }

    void lifecycle(StateMachineLifecycle l) {
        lifecycle = l;
    }

    private Map<Integer, StateMachine> machines(int group) {
        return registry.machines(group);
    }

    /**
     * Before the group is rebuilt at start: records the positions of an install that completed
     * just before a crash (the marker says {@code DONE}) in the log's metadata, then drops the marker.
     */
    void recordCompletedInstall(int group) throws IOException {
        install.recordCompletedInstall(group);
    }

    // ------------------------------------------------------------------ messages

    /** A checkpoint message from a peer (transport thread). */
    void onMessage(int from, int group, byte[] bytes) {
        if (closed) return;
        CheckpointWire.Msg m;
        try {
            m = CheckpointWire.decode(bytes, host.maxMessageBytes());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.DEBUG, "dropped a bad checkpoint message from node {0}: {1}", from, e.getMessage());
            return;
        }
        if (m.group() != group) return;
        if (m instanceof CheckpointWire.Compacted c) onCompacted(from, c);
        else if (m instanceof CheckpointWire.Request r) sending.start(from, r);
        else if (m instanceof CheckpointWire.Ack a) sending.onAck(from, a.transferId(), a.seq());
        // an Abort of a transfer sent from here is the receiver's; any other is a sender's, for the receiving side
        else if (m instanceof CheckpointWire.Abort a && sending.sends(a.transferId())) sending.onAbort(from, a.transferId(), a.reason());
        else receiving.onData(from, group, m);
    }

    /**
     * A catch-up request for {@code fromInstance} reached this node: if the log no longer holds it
     * (below the retained log), answers "compacted" and returns true (the core could not serve it
     * anyway). Whether an instance the log still holds is held as chosen is checked by the serving
     * read ({@link #answerCompacted(CatchUpRead)}): a read here would load every requested value twice.
     */
    boolean answerCompacted(int from, int group, long fromInstance) {
        if (fromInstance >= store.range(group).minRetained()) return false;
        sendCompacted(from, group, fromInstance);
        return true;
    }

    /** The serving read found that the log cannot serve {@code read} ({@link CheckpointTrigger#cannotServe}). */
    void answerCompacted(paxos.impl.core.CatchUpRead read) {
        sendCompacted(read.toNode(), read.group(), read.fromInstance());
    }

    private void sendCompacted(int to, int group, long fromInstance) {
        long min = store.range(group).minRetained();
        GroupRunner runner = host.runner(group);
        long chosen = runner == null ? -1 : runner.chosenUpTo();
        host.send(to, group, CheckpointWire.encode(
                new CheckpointWire.Compacted(group, 0, Math.max(min, fromInstance + 1), chosen)));
    }

    private void onCompacted(int from, CheckpointWire.Compacted c) {
        int g = c.group();
        long need = host.runner(g).chosenUpTo() + 1;
        if (c.minRetained() <= need) return;
        notes.computeIfAbsent(g, k -> new ConcurrentHashMap<>()).put(from, new Note(c.minRetained(), System.nanoTime()));
        maybeStartReceiving(g, need);
    }

    private void maybeStartReceiving(int g, long need) {
        if (lifecycle == null || closed || receiving.active(g)) return;
        long now = System.nanoTime();
        if (now - retryAtNanos.getOrDefault(g, now - 1) < 0) return;
        GroupRunner runner = host.runner(g);
        // only the peers catch-up may ask count: a reachable non-member never serves this group's log
        List<Integer> peers = new java.util.ArrayList<>(host.reachablePeers());
        if (runner != null) peers.retainAll(runner.catchUpPeers());
        Map<Integer, Note> n = notes.getOrDefault(g, Map.of());
        if (peers.isEmpty()) return;
        Map<Integer, Long> chosen = runner == null ? Map.of() : runner.peerChosen();
        Map<Integer, CheckpointTrigger.Note> heard = new java.util.TreeMap<>();
        n.forEach((p, note) -> heard.put(p, new CheckpointTrigger.Note(note.minRetained(), note.atNanos())));
        int best = CheckpointTrigger.choose(need, now, TimeUnit.MILLISECONDS.toNanos(config.compactedWindowMillis()),
                peers, heard, chosen);
        if (best == 0) return;
        for (Map.Entry<Integer, StateMachine> e : machines(g).entrySet()) {
            if (!(e.getValue() instanceof CheckpointSupport)) {
                noteFailure(g, "state machine " + e.getKey() + " cannot install checkpoints; group " + g
                        + " needs instance " + need + " which every peer deleted");
                return;
            }
        }
        startReceiving(g, best, need, "needs instance " + need + ", deleted by every reachable peer");
    }

    /**
     * Pulls and installs a checkpoint of group {@code g} from {@code peer} whatever the log says
     * (a diverged state machine reinstalls a majority replica's state). Returns false if that cannot
     * start now: no lifecycle, closing, a transfer of the group already running, or a state machine
     * of the group without {@link CheckpointSupport}.
     */
    boolean pull(int g, int peer, long need, String why) {
        if (lifecycle == null || closed || receiving.active(g)) return false;
        for (StateMachine m : machines(g).values()) if (!(m instanceof CheckpointSupport)) return false;
        return startReceiving(g, peer, need, why);
    }

    private boolean startReceiving(int g, int peer, long need, String why) {
        return receiving.start(g, peer, need, why);
    }

    /** Delays the next attempt: retryMillis, doubling with each failure in a row, at most 256 times that. */
    private void backOff(int g) {
        int n = failuresInARow.merge(g, 1, Integer::sum);
        long delay = config.retryMillis() << Math.min(8, n - 1);
        retryAtNanos.put(g, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
    }

    private void noteFailure(int g, String why) {
        backOff(g);
        TransferTrack t = new TransferTrack(g, "receive", 0, 0, "failed");
        t.finish(TransferOutcome.UNSUPPORTED, why);
        board.show(t);
    }

    // ------------------------------------------------------------------ clock

    /** Times out idle incoming transfers and expires retention pins (engine clock thread). */
    void tick() {
        receiving.tick();
        sending.tick();
    }

    /** Every group's transfer in progress and last outcome, by group then direction. */
    List<TransferStatus> transfers() {
        return board.snapshot();
    }

    /** True while {@code group} receives or installs a checkpoint. */
    boolean catchingUp(int group) {
        return receiving.active(group);
    }

    @Override
    public void close() {
        closed = true;
        sending.cancelAll();
        receiving.discardAll();
        workers.shutdownNow();
        ioPool.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            ioPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
