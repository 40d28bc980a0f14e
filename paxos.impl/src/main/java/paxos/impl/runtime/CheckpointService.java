package paxos.impl.runtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.StateMachine;

/**
 * Checkpoint catch-up of every group of one engine, in the runtime (the core knows nothing of
 * it): answers catch-up requests below the retained log with "compacted", decides when a group
 * must pull a checkpoint (every reachable peer answered "compacted" for the instance it needs),
 * sends and receives checkpoints ({@link CheckpointSender}, {@link CheckpointReceiver}) and
 * installs one by restarting only that group's state machines through the
 * {@link StateMachineLifecycle} — never by exiting the process.
 *
 * <p>Also the gate to the {@link StateMachineRegistry} (the engine forwards {@link Engine#register}
 * here), since a transfer needs them on both sides and an install must hold back registrations
 * of the group it restarts until the new group runner exists.
 *
 * <p><b>Threads.</b> {@link #onMessage} on transport threads (never blocks: file I/O runs on a
 * serial queue per incoming transfer); {@link #tick} on the engine clock; sending and installing
 * on threads of their own, one per transfer. Groups are independent: several installs run at once,
 * each restarting only its own group's state machines.
 */
final class CheckpointService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CheckpointService.class.getName());
    /** Longest wait for a restarted state machine to register again. */
    private static final long REREGISTER_TIMEOUT_MILLIS = 60_000;

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

    private record Pin(int group, long floor, long untilNanos) {}

    /** One incoming transfer. */
    private final class Incoming {
        final int peer;
        final long transferId;
        final CheckpointReceiver receiver;
        final SerialExecutor io;
        final Track track;
        volatile long lastNanos = System.nanoTime();
        volatile boolean finished;

        Incoming(int group, int peer, long transferId) {
            this.peer = peer;
            this.transferId = transferId;
            this.track = new Track(group, "receive", peer, transferId, "requesting");
            this.receiver = new CheckpointReceiver(group, transferId, id -> targetOf(group, id),
                    m -> host.send(peer, group, CheckpointWire.encode(m)));
            this.io = new SerialExecutor(ioPool, (t, e) -> fail(group, this, "internal error: " + e));
        }
    }

    private final Host host;
    private final LogStore store;
    private final CheckpointConfig config;
    private final CheckpointInstaller installer;
    private final int groupCount;
    private final ExecutorService ioPool;
    private final ExecutorService workers;
    private final SecureRandom random = new SecureRandom();
    private final StateMachineRegistry registry;
    private final Object[] groupLocks;
    private final boolean[] installing;
    private final Map<Integer, Incoming> incoming = new ConcurrentHashMap<>();
    private final Map<Long, CheckpointSender> outgoing = new ConcurrentHashMap<>();
    private final Map<Integer, Map<Integer, Note>> notes = new ConcurrentHashMap<>();
    private final Map<Integer, Long> retryAtNanos = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> failuresInARow = new ConcurrentHashMap<>();
    private final Map<Long, Pin> pins = new ConcurrentHashMap<>();
    private final Map<String, Track> tracks = new ConcurrentHashMap<>();
    private volatile StateMachineLifecycle lifecycle;
    private volatile boolean closed;

    CheckpointService(Host host, LogStore store, CheckpointConfig config, int groupCount, StateMachineRegistry registry) {
        this.host = host;
        this.registry = registry;
        this.store = store;
        this.config = config;
        this.groupCount = groupCount;
        this.installer = new CheckpointInstaller(config.stagingDirectory());
        this.ioPool = Executors.newFixedThreadPool(2, Engine.daemon("paxos-ckpt-io"));
        this.workers = Executors.newCachedThreadPool(Engine.daemon("paxos-ckpt"));
        this.groupLocks = new Object[groupCount];
        this.installing = new boolean[groupCount];
        for (int g = 0; g < groupCount; g++) groupLocks[g] = new Object();
    }

    CheckpointInstaller installer() {
        return installer;
    }

    void lifecycle(StateMachineLifecycle l) {
        lifecycle = l;
    }

    // ------------------------------------------------------------------ registry

    /** A new registration, and whether the caller hands it to the group's runner now. */
    record Added(StateMachineRegistry.Registration registration, boolean forward) {}

    /**
     * Records a registration in the shared registry; {@code forward} is true if it is in force and
     * the group is not installing a checkpoint (then the new runner gets it).
     */
    Added register(int group, int id, String version, String name, StateMachine machine) {
        synchronized (groupLocks[group]) {
            StateMachineRegistry.Registration r = registry.add(group, id, version, name, machine);
            return new Added(r, registry.inForce(r) && !installing[group]);
        }
    }

    /**
     * Removes exactly this registration. The promoted one (a refused duplicate taking over) is
     * returned for the caller to hand to the runner, unless the group is installing a checkpoint.
     */
    StateMachineRegistry.Removal unregister(StateMachineRegistry.Registration r) {
        synchronized (groupLocks[r.group()]) {
            StateMachineRegistry.Removal x = registry.remove(r);
            return installing[r.group()] ? new StateMachineRegistry.Removal(x.wasInForce(), null) : x;
        }
    }

    /** Drops the registration in force of {@code (group, id)}, whoever owns it (a checkpoint install stops it). */
    private void unregister(int group, int id) {
        StateMachineRegistry.Registration r = registry.inForce(group, id);
        if (r != null) registry.remove(r);
    }

    Map<Integer, StateMachine> machines(int group) {
        Map<Integer, StateMachine> out = new TreeMap<>();
        registry.inForce(group).forEach((id, r) -> out.put(id, r.machine()));
        return out;
    }

    private Path targetOf(int group, int id) {
        StateMachineRegistry.Registration r = registry.inForce(group, id);
        return r != null && r.machine() instanceof CheckpointSupport cs ? cs.dataDirectory(group) : null;
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Before the group is rebuilt at start: records the positions of an install that completed
     * just before a crash (the marker says {@code DONE}) in the log's metadata, then drops the marker.
     */
    void recordCompletedInstall(int group) throws IOException {
        Optional<CheckpointInstaller.Completed> done = installer.completed(group);
        if (done.isEmpty()) return;
        CheckpointInstaller.Completed c = done.get();
        writePositions(group, c.ids(), c.positions(), c.master(), c.versions());
        installer.finish(group);
    }

    private void writePositions(int group, List<Integer> ids, List<Long> positions, MasterInfo master, Map<Integer, String> versions) {
        ExecMeta meta = store.meta(group, ExecMeta.KEY).map(ExecMeta::decode).orElseGet(ExecMeta::empty);
        for (int i = 0; i < ids.size(); i++) meta.positions().put(ids.get(i), positions.get(i));
        if (master.exists()) meta.masters().put(master.version(), master);
        long lowest = positions.stream().mapToLong(Long::longValue).min().orElse(-1);
        if (!versions.isEmpty()) { // in force after the checkpoint: replaces this node's older history
            meta.versions().headMap(lowest, true).clear();
            meta.versions().put(lowest, new TreeMap<>(versions));
        }
        store.append(List.of(new LogRecord.Meta(group, ExecMeta.KEY, meta.encode()))).toCompletableFuture().join();
        store.retainFrom(group, positions.stream().mapToLong(Long::longValue).min().orElse(-1) + 1);
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
        else if (m instanceof CheckpointWire.Request r) startSending(from, r);
        else if (m instanceof CheckpointWire.Ack a) {
            CheckpointSender s = outgoing.get(a.transferId());
            if (s != null && s.peer() == from) s.onAck(a.seq());
        } else if (m instanceof CheckpointWire.Abort a && outgoing.containsKey(a.transferId())) {
            CheckpointSender s = outgoing.get(a.transferId());
            if (s != null && s.peer() == from) s.cancel("receiver aborted: " + a.reason());
        } else {
            Incoming in = incoming.get(group);
            if (in == null || in.peer != from || in.transferId != m.transferId() || in.finished) return;
            in.lastNanos = System.nanoTime();
            in.io.execute(() -> receive(group, in, m));
        }
    }

    /**
     * A catch-up request for {@code fromInstance} reached this node: if the log no longer holds it,
     * answers "compacted" and returns true (the core could not serve it anyway).
     */
    boolean answerCompacted(int from, int group, long fromInstance) {
        long min = store.range(group).minRetained();
        long chosen = host.runner(group).chosenUpTo();
        if (!CheckpointTrigger.cannotServe(fromInstance, min, chosen, i -> store.read(group, i))) return false;
        host.send(from, group, CheckpointWire.encode(
                new CheckpointWire.Compacted(group, 0, Math.max(min, fromInstance + 1), chosen)));
        return true;
    }

    private void onCompacted(int from, CheckpointWire.Compacted c) {
        int g = c.group();
        long need = host.runner(g).chosenUpTo() + 1;
        if (c.minRetained() <= need) return;
        notes.computeIfAbsent(g, k -> new ConcurrentHashMap<>()).put(from, new Note(c.minRetained(), System.nanoTime()));
        maybeStartReceiving(g, need);
    }

    private void maybeStartReceiving(int g, long need) {
        if (lifecycle == null || closed || incoming.containsKey(g)) return;
        long now = System.nanoTime();
        if (now - retryAtNanos.getOrDefault(g, now - 1) < 0) return;
        List<Integer> peers = host.reachablePeers();
        Map<Integer, Note> n = notes.getOrDefault(g, Map.of());
        if (peers.isEmpty()) return;
        GroupRunner runner = host.runner(g);
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
        if (lifecycle == null || closed || incoming.containsKey(g)) return false;
        for (StateMachine m : machines(g).values()) if (!(m instanceof CheckpointSupport)) return false;
        return startReceiving(g, peer, need, why);
    }

    private boolean startReceiving(int g, int peer, long need, String why) {
        Incoming in = new Incoming(g, peer, random.nextLong() & Long.MAX_VALUE);
        if (incoming.putIfAbsent(g, in) != null) return false;
        tracks.put(g + "/receive", in.track);
        LOG.log(Level.INFO, "group {0}: {1}; pulling a checkpoint from node {2}", g, why, peer);
        host.send(peer, g, CheckpointWire.encode(new CheckpointWire.Request(g, in.transferId, need)));
        return true;
    }

    /** Delays the next attempt: retryMillis, doubling with each failure in a row, at most 256 times that. */
    private void backOff(int g) {
        int n = failuresInARow.merge(g, 1, Integer::sum);
        long delay = config.retryMillis() << Math.min(8, n - 1);
        retryAtNanos.put(g, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay));
    }

    private void noteFailure(int g, String why) {
        backOff(g);
        Track t = new Track(g, "receive", 0, 0, "failed");
        t.finish(why);
        tracks.put(g + "/receive", t);
    }

    // ------------------------------------------------------------------ receiving

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
        } catch (CheckpointReceiver.TransferException | IOException e) {
            fail(group, in, e.getMessage());
        }
    }

    private void fail(int group, Incoming in, String why) {
        in.finished = true;
        host.send(in.peer, group, CheckpointWire.encode(new CheckpointWire.Abort(group, in.transferId, why)));
        in.io.execute(in.receiver::discard);
        in.track.finish("failed: " + why);
        backOff(group);
        incoming.remove(group, in);
        LOG.log(Level.WARNING, "group {0}: checkpoint transfer from node {1} failed: {2}", group, in.peer, why);
    }

    /** Stops the group's state machines, installs, starts them, and resumes the group at the new position. */
    private void install(int group, Incoming in) {
        CheckpointReceiver r = in.receiver;
        List<CheckpointInstaller.Target> targets = r.targets();
        List<Integer> ids = targets.stream().map(CheckpointInstaller.Target::stateMachineId).toList();
        List<Long> positions = ids.stream().map(r::instanceOf).toList();
        String outcome = "installed";
        List<Integer> stopped = new ArrayList<>();
        boolean runnerRetired = false;
        try {
            if (!machines(group).keySet().equals(new java.util.TreeSet<>(ids)))
                throw new IOException("state machines here " + machines(group).keySet() + " differ from the checkpoint's " + ids);
            StateMachineLifecycle l = lifecycle;
            GroupRunner old = host.runner(group);
            synchronized (groupLocks[group]) {
                installing[group] = true;
            }
            old.retire("group " + group + " is installing a checkpoint");
            runnerRetired = true;
            for (int id : ids) old.unregister(registry.inForce(group, id)).get(30, TimeUnit.SECONDS);
            for (int id : ids) {
                l.stop(group, id);
                stopped.add(id);
                unregister(group, id);
            }
            try {
                installer.install(group, targets, positions, r.master(), r.versions());
            } catch (IOException | RuntimeException e) {
                installer.recoverFiles(group); // roll back what the failed install left
                throw e;
            }
            writePositions(group, ids, positions, r.master(), r.versions());
            installer.finish(group);
        } catch (Exception e) {
            outcome = "failed: " + e.getMessage();
            in.receiver.discard();
            LOG.log(Level.WARNING, "group {0}: installing the checkpoint from node {1} failed: {2}", group, in.peer, e.toString());
        }
        if (runnerRetired) outcome = restart(group, stopped, ids, positions, outcome);
        in.track.finish(outcome);
        if (!outcome.equals("installed"))
            backOff(group);
        notes.remove(group);
        incoming.remove(group, in);
        if (outcome.equals("installed")) failuresInARow.remove(group);
        if (outcome.equals("installed"))
            LOG.log(Level.INFO, "group {0}: installed a checkpoint at instance {1} from node {2}", group, r.lowestInstance(), in.peer);
    }

    /** Starts the stopped state machines and puts a runner rebuilt from the store in place. */
    private String restart(int group, List<Integer> stopped, List<Integer> ids, List<Long> positions, String outcome) {
        String result = outcome;
        try {
            for (int id : stopped) lifecycle.start(group, id);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REREGISTER_TIMEOUT_MILLIS);
            while (!machines(group).keySet().containsAll(stopped)) {
                if (System.nanoTime() > deadline || closed)
                    throw new IOException("state machines " + stopped + " did not register again after their restart");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // OSGi registers the service asynchronously
            }
            if (result.equals("installed")) {
                for (int i = 0; i < ids.size(); i++) {
                    long reported = machines(group).get(ids.get(i)).checkpointInstance(group);
                    if (reported < positions.get(i))
                        throw new IOException("state machine " + ids.get(i) + " reports instance " + reported
                                + " after installing a checkpoint at " + positions.get(i));
                }
            }
        } catch (Exception e) {
            result = "failed: " + e.getMessage();
        }
        synchronized (groupLocks[group]) {
            Map<Integer, StateMachine> now = machines(group);
            GroupRunner fresh = host.rebuild(group, now);
            host.replace(group, fresh);
            installing[group] = false;
            registry.registrations(group).forEach(fresh::register);
            if (result.startsWith("failed") && !outcome.startsWith("failed")) fresh.fail("checkpoint install: " + result);
        }
        return result;
    }

    // ------------------------------------------------------------------ sending

    private void startSending(int from, CheckpointWire.Request r) {
        int g = r.group();
        if (closed) return;
        // A receiver asks again only after losing its transfer (it restarted, or gave up on it): the
        // old one would keep the state machines' checkpoint locked until the idle timeout and make
        // every new attempt fail with "already locked", so it gives way now (it unlocks on its thread).
        for (CheckpointSender s : outgoing.values()) {
            if (s.peer() == from && s.group() == g && s.transferId() != r.transferId())
                s.cancel("superseded by transfer " + r.transferId() + " of the same receiver");
        }
        if (outgoing.size() >= config.sendersMax()) {
            host.send(from, g, CheckpointWire.encode(new CheckpointWire.Abort(g, r.transferId(), "busy: "
                    + config.sendersMax() + " checkpoint transfers already running")));
            return;
        }
        Track track = new Track(g, "send", from, r.transferId(), "sending");
        tracks.put(g + "/send", track);
        int chunk = Math.max(1024, Math.min(config.chunkBytes(), host.maxMessageBytes() / 2 - CheckpointWire.CHUNK_OVERHEAD_BYTES));
        CheckpointSender sender = new CheckpointSender(g, from, r.transferId(), machines(g), inst -> masterAt(g, inst),
                inst -> versionsAt(g, inst),
                m -> host.send(from, g, CheckpointWire.encode(m)), config, chunk, new CheckpointSender.Progress() {
                    @Override
                    public void locked(long instance, long bytesTotal, int filesTotal) {
                        pins.put(r.transferId(), new Pin(g, instance + 1, Long.MAX_VALUE));
                        updatePins(g);
                        track.update(0, bytesTotal, 0, filesTotal, instance);
                    }

                    @Override
                    public void sent(long bytes, int files) {
                        track.update(bytes, track.bytesTotal, files, track.filesTotal, track.instance);
                    }

                    @Override
                    public void finished(String outcome) {
                        outgoing.remove(r.transferId());
                        Pin p = pins.get(r.transferId());
                        if (p != null) pins.put(r.transferId(), new Pin(g, p.floor(),
                                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.retentionPinMillis())));
                        updatePins(g);
                        track.finish(outcome);
                    }
                });
        if (outgoing.putIfAbsent(r.transferId(), sender) != null) return;
        try {
            workers.execute(sender);
        } catch (RuntimeException closing) {
            outgoing.remove(r.transferId());
        }
    }

    private Map<Integer, String> versionsAt(int g, long instance) {
        try {
            return host.runner(g).versionsAt(instance).get(config.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell the state machine versions at instance " + instance + ": " + e, e);
        }
    }

    private MasterInfo masterAt(int g, long instance) {
        try {
            return host.runner(g).masterAt(instance).get(config.idleTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell the master at instance " + instance + ": " + e, e);
        }
    }

    /** Keeps the log of {@code g} from {@code floor} on while a checkpoint at {@code floor - 1} is sent or was just sent. */
    private void updatePins(int g) {
        long now = System.nanoTime();
        long cap = Long.MAX_VALUE;
        for (Map.Entry<Long, Pin> e : pins.entrySet()) {
            Pin p = e.getValue();
            if (p.untilNanos() != Long.MAX_VALUE && now - p.untilNanos() > 0) {
                pins.remove(e.getKey(), p);
                continue;
            }
            if (p.group() == g) cap = Math.min(cap, p.floor());
        }
        host.runner(g).capRetention(cap);
    }

    // ------------------------------------------------------------------ clock

    /** Times out idle incoming transfers and expires retention pins (engine clock thread). */
    void tick() {
        long now = System.nanoTime();
        for (Map.Entry<Integer, Incoming> e : incoming.entrySet()) {
            Incoming in = e.getValue();
            if (!in.finished && now - in.lastNanos > TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis()))
                fail(e.getKey(), in, "no progress from node " + in.peer + " for " + config.idleTimeoutMillis() + " ms");
        }
        java.util.Set<Integer> pinned = new java.util.TreeSet<>();
        for (Pin p : pins.values()) pinned.add(p.group());
        for (int g : pinned) updatePins(g);
    }

    /** Every group's transfer in progress and last outcome, by group then direction. */
    List<TransferStatus> transfers() {
        List<TransferStatus> out = new ArrayList<>();
        for (Track t : new TreeMap<>(tracks).values()) out.add(t.snapshot());
        return out;
    }

    /** True while {@code group} receives or installs a checkpoint. */
    boolean catchingUp(int group) {
        return incoming.containsKey(group);
    }

    @Override
    public void close() {
        closed = true;
        for (CheckpointSender s : outgoing.values()) s.cancel("node closing");
        for (Incoming in : incoming.values()) in.io.execute(in.receiver::discard);
        workers.shutdownNow();
        ioPool.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            ioPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Mutable progress of one transfer; snapshots for status. */
    static final class Track {
        final int group;
        final String direction;
        final int peer;
        final long transferId;
        final long startedMillis = System.currentTimeMillis();
        final long startedNanos = System.nanoTime();
        volatile String phase;
        volatile long bytes;
        volatile long bytesTotal;
        volatile int files;
        volatile int filesTotal;
        volatile long instance = -1;
        /** When bytes started to flow (after the sender's lock and copy): the rate counts from here. */
        volatile long streamStartNanos;
        volatile long endedMillis;
        volatile long endedNanos;
        volatile String outcome;

        Track(int group, String direction, int peer, long transferId, String phase) {
            this.group = group;
            this.direction = direction;
            this.peer = peer;
            this.transferId = transferId;
            this.phase = phase;
        }

        void update(long bytes, long bytesTotal, int files, int filesTotal, long instance) {
            if (streamStartNanos == 0 && bytesTotal > 0) streamStartNanos = System.nanoTime();
            this.bytes = bytes;
            this.bytesTotal = bytesTotal;
            this.files = files;
            this.filesTotal = filesTotal;
            this.instance = instance;
        }

        void finish(String outcome) {
            endedNanos = System.nanoTime();
            endedMillis = System.currentTimeMillis();
            this.outcome = outcome;
            phase = outcome.startsWith("failed") ? "failed" : "done";
        }

        TransferStatus snapshot() {
            long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
            long nanos = Math.max(1, end - (streamStartNanos == 0 ? startedNanos : streamStartNanos));
            long rate = (long) (bytes * 1e9 / nanos);
            return new TransferStatus(group, direction, peer, transferId, phase, bytes, bytesTotal, files, filesTotal, rate,
                    instance, startedMillis, endedMillis, outcome);
        }
    }
}
