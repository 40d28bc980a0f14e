package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import paxos.impl.exec.DigestComparison;
import paxos.impl.exec.DigestRecorder;

/**
 * Divergence detection of every group of one engine: keeps the last few state machine digests
 * taken here ({@link DigestRecorder}) and received from peers, compares them at equal instances
 * ({@link DigestComparison}), reports a mismatch loudly (one ERROR per episode and state machine,
 * status, console) and, on the replica in the minority, stops executing that state machine and
 * reinstalls it from a majority replica's checkpoint.
 *
 * <p><b>Exchange.</b> One {@link DigestWire} message per group and peer, sent from the clock tick
 * when the group took a new digest since the last send (so at most one per digest interval), when
 * the set of registered state machines changed, and every {@link #REFRESH_MILLIS} otherwise (a
 * restarted peer learns who has what). The same message carries this node's registered state
 * machines, from which the status shows which nodes lack which state machine.
 *
 * <p><b>Episode.</b> Starts at the first mismatch of a (group, state machine) and ends when a later
 * instance's digests agree again, including the nodes that differed. A minority replica goes
 * HALTED (execution of that state machine stops: instances that carry commands for it wait), then
 * INSTALLING (a checkpoint pulled from a majority node, through {@link CheckpointService#pull}),
 * then VERIFYING (executing again until a digest agrees); a failed install goes back to HALTED and
 * is retried with a growing pause. Without checkpoint support it stays HALTED for the operator.
 *
 * <p><b>Threads.</b> Digests arrive on execution threads, messages on transport threads, the tick
 * on the engine clock; all state is under this object's monitor (work per call is bounded and
 * happens once per digest interval, so the lock is cold). Sends and halts happen outside it.
 */
public final class DigestExchange {
    private static final System.Logger LOG = System.getLogger(DigestExchange.class.getName());
    /** Digests kept per (group, state machine), here and per peer ({@link DigestHistory}). */
    static final int KEPT = 8;
    /** A summary is re-sent at least this often even when nothing changed. */
    static final long REFRESH_MILLIS = 30_000;
    /** First pause before another install attempt; doubles per failure up to 64 times this. */
    static final long RETRY_MILLIS = 2_000;
    /** Episodes kept per group (bounded like everything else). */
    static final int EPISODES_MAX = 64;

    /** What the exchange needs of its engine. */
    interface Host {
        int self();

        /** The other members of the group. */
        List<Integer> peers();

        /**
         * Every member of {@code group}'s membership in force (this node too, if it is one): the
         * replicas whose digests are compared, and how many make a majority. Follows the log, so
         * members added or removed at runtime count from the change on.
         */
        java.util.Collection<Integer> members(int group);

        boolean send(int toNode, int group, byte[] message);

        /** State machines registered here for {@code group}, by ID: version ({@code ""} if unknown) and state. */
        Map<Integer, Presence> localMachines(int group);

        /** Stops executing state machine {@code id} of {@code group}; runs {@code then} on its execution thread once stopped. */
        void stopExecuting(int group, int id, Runnable then);

        /** Starts pulling a checkpoint of {@code group} from {@code peer}; false if that cannot start now. */
        boolean pull(int group, int peer, long needFrom, String why);

        /** True while {@code group} receives or installs a checkpoint. */
        boolean catchingUp(int group);

        /** The group's last incoming transfer if it started at or after {@code sinceMillis} and ended, else null. */
        TransferStatus installEndedSince(int group, long sinceMillis);
    }

    /** A registered state machine as one node reports it. */
    public record Presence(String version, String state) {}

    /** Recovery phase of a minority replica. */
    public enum Phase { HALTED, INSTALLING, VERIFYING }

    /**
     * A divergence as this node sees it, for status pages.
     *
     * @param stateMachineId the state machine
     * @param instance the latest instance at which digests differed
     * @param digests per node, its digest at that instance
     * @param differing nodes departing from the majority (all reporting nodes if {@code !majority})
     * @param majority whether a majority agreed (else nobody is marked)
     * @param markedHere whether this node is in the minority (its state machine is DIVERGED)
     * @param phase this node's recovery phase, or {@code null} if not marked here
     * @param note what the operator should know (e.g. why it cannot recover by itself), or {@code ""}
     */
    public record Report(int stateMachineId, long instance, Map<Integer, Long> digests, List<Integer> differing, boolean majority,
                  boolean markedHere, Phase phase, String note) {}

    private record Key(int group, int id) {}

    private static final class Episode {
        long instance;
        Map<Integer, Long> digests;
        List<Integer> differing;
        List<Integer> majorityNodes;
        boolean majority;
        boolean marked;
        boolean errorLogged;
        Phase phase;
        String note = "";
        long pullAtNanos;
        long pullStartedMillis;
        int failures;
    }

    private final Host host;
    private final DigestHistory history = new DigestHistory();
    private final Map<Integer, Map<Integer, Map<Integer, Presence>>> peerPresence = new HashMap<>();
    private final Map<Key, Episode> episodes = new HashMap<>();
    private final Map<Integer, Boolean> dirty = new HashMap<>();
    private final Map<Integer, Map<Integer, Presence>> lastSentPresence = new HashMap<>();
    private final Map<Integer, Long> lastSentNanos = new HashMap<>();
    private final AtomicLong messagesSent = new AtomicLong();

    DigestExchange(Host host) {
        this.host = host;
    }

    /** Where group {@code group}'s {@link DigestRecorder} puts its digests (execution thread). */
    DigestRecorder.Sink sink(int group) {
        return (id, instance, digest) -> recordLocal(group, id, instance, digest);
    }

    private void recordLocal(int group, int id, long instance, long digest) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            Key k = new Key(group, id);
            history.recordLocal(group, id, instance, digest);
            dirty.put(group, true);
            evaluate(k, instance, effects);
        }
        effects.forEach(Runnable::run);
    }

    /** A digest message from a peer (transport thread); malformed ones are dropped. */
    void onMessage(int from, int group, byte[] bytes) {
        DigestWire.Summary s;
        try {
            s = DigestWire.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.DEBUG, "dropped a bad digest message from node {0}: {1}", from, e.getMessage());
            return;
        }
        if (s.group() != group || from == host.self() || !host.peers().contains(from)) return;
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            Map<Integer, Presence> presence = new TreeMap<>();
            for (DigestWire.Machine m : s.machines()) {
                presence.put(m.id(), new Presence(m.version(), m.state()));
                Key k = new Key(group, m.id());
                for (DigestWire.Digest d : m.digests()) {
                    if (history.recordRemote(group, m.id(), from, d.instance(), d.digest())) evaluate(k, d.instance(), effects);
                }
            }
            peerPresence.computeIfAbsent(group, g -> new HashMap<>()).put(from, presence);
            // forget the peer's digests of state machines it no longer has: memory follows what peers run
            history.retainRemote(group, from, presence.keySet());
        }
        effects.forEach(Runnable::run);
    }

    /** Compares what is known at {@code instance}; queues halts and logs as {@code effects}. Under the monitor. */
    private void evaluate(Key k, long instance, List<Runnable> effects) {
        Map<Integer, Long> digests = history.at(k.group(), k.id(), instance, host.self());
        // the replicas of the membership in force (a removed node's last digests do not vote)
        java.util.Collection<Integer> members = host.members(k.group());
        digests.keySet().removeIf(n -> n != host.self() && !members.contains(n));
        int clusterSize = Math.max(members.size(), 1);
        Long mine = digests.get(host.self());
        if (digests.size() < 2) return;
        DigestComparison.Verdict v = DigestComparison.compare(digests, Math.max(clusterSize, digests.size()));
        Episode e = episodes.get(k);
        if (v.kind() == DigestComparison.Kind.AGREE) {
            if (e != null && instance > e.instance && digests.keySet().containsAll(e.differing)) {
                episodes.remove(k);
                effects.add(() -> LOG.log(Level.INFO, "group {0}: state machine {1} agrees again on every reporting node at instance {2} (nodes {3})",
                        k.group(), k.id(), instance, digests.keySet()));
            }
            return;
        }
        if (e != null && instance < e.instance) return; // an older comparison adds nothing
        // while this node is marked, only comparisons that include it may change its episode: another
        // node's divergence seen meanwhile must not replace (and later clear) the record of its own
        if (e != null && e.marked && mine == null) return;
        // nor may a partial comparison (two of three, say, before the third digest came in) undo a
        // majority verdict: the verdict stands until a later complete one or an agreement replaces it
        if (e != null && e.majority && v.kind() != DigestComparison.Kind.MINORITY && digests.size() < clusterSize) return;
        boolean first = e == null;
        if (first) {
            if (episodes.keySet().stream().filter(o -> o.group() == k.group()).count() >= EPISODES_MAX) return;
            e = new Episode();
            episodes.put(k, e);
        }
        e.instance = instance;
        e.digests = digests;
        e.differing = v.differing();
        e.majorityNodes = v.majorityNodes();
        e.majority = v.kind() == DigestComparison.Kind.MINORITY;
        boolean selfMinority = v.isMinority(host.self());
        // ERROR once the verdict is final: a majority formed, or every replica reported. Two of three
        // that differ are only a WARNING until the third tells which one departed.
        boolean complete = e.majority || digests.size() >= clusterSize;
        if (complete && !e.errorLogged) {
            e.errorLogged = true;
            String who = e.majority ? "nodes " + v.differing() + " differ from the majority " + v.majorityNodes()
                    : "no majority agrees, nobody is marked";
            String action = selfMinority ? "; this node marks it DIVERGED, stops executing it and reinstalls it from a majority replica" : "";
            effects.add(() -> LOG.log(Level.ERROR, "group {0}: state machine {1} DIVERGED at instance {2}: digests {3}; {4}{5}",
                    k.group(), k.id(), instance, hex(digests), who, action));
        } else if (!complete && first) {
            effects.add(() -> LOG.log(Level.WARNING, "group {0}: state machine {1}: digests differ at instance {2}: {3}; waiting"
                    + " for the other replicas'' digests to tell which one departed", k.group(), k.id(), instance, hex(digests)));
        }
        if (selfMinority && (!e.marked || e.phase == Phase.VERIFYING)) {
            if (e.marked) e.failures++; // it diverged again after an install: retry, slower
            e.marked = true;
            e.phase = Phase.HALTED;
            e.pullAtNanos = System.nanoTime() + retryNanos(e.failures);
            effects.add(() -> stopExecuting(k));
        }
    }

    /** Stops the state machine, then forgets its digests (those of the diverged state must not be compared again). */
    private void stopExecuting(Key k) {
        host.stopExecuting(k.group(), k.id(), () -> {
            Map<Integer, Presence> mine = host.localMachines(k.group());
            DigestWire.Summary lastWords;
            synchronized (this) {
                // The peers' own verdict (and their ERROR) needs this node's departing digest; when the
                // peers' digests arrived first, it was not sent yet: send it once before forgetting it.
                lastWords = summary(k.group(), mine);
                history.forgetLocal(k.group(), k.id());
            }
            sendToPeers(k.group(), lastWords);
        });
    }

    private void sendToPeers(int group, DigestWire.Summary summary) {
        byte[] bytes = DigestWire.encode(summary);
        for (int peer : host.peers()) {
            if (host.send(peer, group, bytes)) messagesSent.incrementAndGet();
        }
    }

    private static long retryNanos(int failures) {
        return failures == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS << Math.min(6, failures - 1));
    }

    /** Sends due summaries and drives recoveries (engine clock thread). */
    void tick(int groupCount) {
        long now = System.nanoTime();
        for (int g = 0; g < groupCount; g++) {
            Map<Integer, Presence> mine = host.localMachines(g);
            DigestWire.Summary summary = null;
            synchronized (this) {
                boolean changed = !mine.equals(lastSentPresence.getOrDefault(g, Map.of()));
                boolean stale = now - lastSentNanos.getOrDefault(g, now - TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS)) >= TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS);
                if (dirty.getOrDefault(g, false) || changed || stale) {
                    summary = summary(g, mine);
                    dirty.put(g, false);
                    lastSentPresence.put(g, mine);
                    lastSentNanos.put(g, now);
                }
            }
            if (summary != null) sendToPeers(g, summary);
        }
        recover(now);
    }

    private DigestWire.Summary summary(int g, Map<Integer, Presence> mine) {
        List<DigestWire.Machine> machines = new ArrayList<>();
        for (Map.Entry<Integer, Presence> e : mine.entrySet()) {
            if (machines.size() == DigestWire.MACHINES_MAX) break;
            List<DigestWire.Digest> latest = history.latestLocal(g, e.getKey(), DigestWire.DIGESTS_MAX);
            machines.add(new DigestWire.Machine(e.getKey(), e.getValue().version(), e.getValue().state(), latest));
        }
        return new DigestWire.Summary(g, machines);
    }

    private void recover(long now) {
        List<Runnable> effects = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Key, Episode> en : episodes.entrySet()) {
                Key k = en.getKey();
                Episode e = en.getValue();
                if (!e.marked) continue;
                if (e.phase == Phase.INSTALLING) {
                    TransferStatus ended = host.installEndedSince(k.group(), e.pullStartedMillis);
                    if (ended != null && ended.outcome() == TransferOutcome.INSTALLED) {
                        e.phase = Phase.VERIFYING;
                        e.note = "checkpoint installed; waiting for a digest that agrees";
                    } else if (ended != null) {
                        e.failures++;
                        e.phase = Phase.HALTED;
                        e.note = "install " + ended.describeOutcome();
                        e.pullAtNanos = now + retryNanos(e.failures);
                        effects.add(() -> stopExecuting(k)); // a failed install rebuilds the group with it running
                    }
                } else if (e.phase == Phase.HALTED && now - e.pullAtNanos >= 0 && !host.catchingUp(k.group())) {
                    List<Integer> from = new ArrayList<>(e.majorityNodes);
                    from.remove((Integer) host.self());
                    if (from.isEmpty()) continue;
                    int peer = from.get((int) ((e.failures & Integer.MAX_VALUE) % from.size())); // another one on each retry
                    long startedMillis = System.currentTimeMillis();
                    e.pullStartedMillis = startedMillis;
                    e.phase = Phase.INSTALLING;
                    e.note = "pulling a checkpoint from node " + peer;
                    long at = e.instance;
                    effects.add(() -> {
                        boolean started = host.pull(k.group(), peer, at + 1, "state machine " + k.id()
                                + " diverged at instance " + at);
                        if (!started) notInstallable(k, e);
                    });
                }
            }
        }
        effects.forEach(Runnable::run);
    }

    private synchronized void notInstallable(Key k, Episode e) {
        if (episodes.get(k) != e || e.phase != Phase.INSTALLING) return;
        e.phase = Phase.HALTED;
        e.failures++;
        e.pullAtNanos = System.nanoTime() + retryNanos(e.failures);
        e.note = "cannot pull a checkpoint now: another transfer of group " + k.group() + " runs (retried), or a state"
                + " machine of the group lacks checkpoint support or the node has no lifecycle (then it stays DIVERGED until the"
                + " operator replaces its state: stop the node, delete this state machine's data directory, start the node; it"
                + " replays the retained log)";
    }

    // ------------------------------------------------------------------ status (any thread)

    /** True if this node marked state machine {@code id} of {@code group} DIVERGED. */
    public synchronized boolean diverged(int group, int id) {
        Episode e = episodes.get(new Key(group, id));
        return e != null && e.marked;
    }

    /** The group's divergences as seen here, by state machine ID. */
    public synchronized List<Report> reports(int group) {
        List<Report> out = new ArrayList<>();
        for (Map.Entry<Key, Episode> en : episodes.entrySet()) {
            if (en.getKey().group() != group) continue;
            Episode e = en.getValue();
            out.add(new Report(en.getKey().id(), e.instance, Map.copyOf(e.digests), e.differing, e.majority, e.marked,
                    e.marked ? e.phase : null, e.note));
        }
        out.sort(java.util.Comparator.comparingInt(Report::stateMachineId));
        return out;
    }

    /**
     * Per node (this one included), the state machines it registered for {@code group} as last
     * reported; a peer that never reported is absent.
     */
    public Map<Integer, Map<Integer, Presence>> presence(int group) {
        Map<Integer, Map<Integer, Presence>> out = new TreeMap<>();
        out.put(host.self(), host.localMachines(group));
        synchronized (this) {
            peerPresence.getOrDefault(group, Map.of()).forEach((peer, m) -> out.put(peer, Map.copyOf(m)));
        }
        return out;
    }

    /** Per state machine ID registered on some node of {@code group}, the reporting nodes that lack it. */
    public Map<Integer, List<Integer>> lacking(int group) {
        Map<Integer, Map<Integer, Presence>> p = presence(group);
        TreeSet<Integer> ids = new TreeSet<>();
        p.values().forEach(m -> ids.addAll(m.keySet()));
        Map<Integer, List<Integer>> out = new TreeMap<>();
        for (int id : ids) {
            List<Integer> without = new ArrayList<>();
            p.forEach((node, m) -> {
                if (!m.containsKey(id)) without.add(node);
            });
            if (!without.isEmpty()) out.put(id, without);
        }
        return out;
    }

    /** Digest messages this node sent (every peer counts). */
    public long messagesSent() {
        return messagesSent.get();
    }

    private static Map<Integer, String> hex(Map<Integer, Long> digests) {
        Map<Integer, String> out = new TreeMap<>();
        digests.forEach((n, d) -> out.put(n, Long.toHexString(d)));
        return out;
    }
}
