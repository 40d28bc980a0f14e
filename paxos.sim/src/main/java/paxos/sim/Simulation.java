package paxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/**
 * One deterministic run of a whole cluster, driven by one seed (TigerBeetle VOPR style).
 * Single-threaded; every decision (cluster shape, fault rates, delays, crashes, clocks, election
 * randomness inside the cores) comes from one {@link SplittableRandom} seeded with the seed, so a
 * seed replays exactly.
 *
 * <p>Some 5-node seeds make node 5 a non-voting member: it learns and executes, and refuses
 * proposals with NOT_MEMBER (the client then tries another node).
 *
 * <p>Two phases. <b>Faults</b>: clients propose while the network loses, duplicates, delays and
 * partitions messages, nodes crash (losing unsynced writes) and restart, and node clocks tick at
 * different rates. <b>Liveness</b>: faults stop, partitions heal, crashed nodes restart; within
 * {@link SimParams#LIVENESS_TICKS} every pending proposal must complete, a fresh probe proposal per
 * group must be acknowledged, and every replica must have executed every chosen instance.
 * Safety oracles ({@link Oracle}) run throughout.
 */
public final class Simulation {
    /**
     * The production runtime logs at INFO what is routine in a simulation (versions in force);
     * held strongly, so the level stays. Warnings and errors still show.
     */
    private static final java.util.logging.Logger RUNTIME_LOG = java.util.logging.Logger.getLogger("paxos.impl");

    static {
        RUNTIME_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    final SimParams params;
    final Variant variant;
    final SplittableRandom random;
    final Oracle oracle;
    final SimNetwork network;
    final SimNode[] nodes;
    /** Every group's configured membership (the bootstrap). */
    private final Membership bootstrap;
    /** Where nodes keep their durable logs on the real store, or {@code null} for memory. */
    final java.nio.file.Path diskRoot;
    private final long seed;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    /**
     * Events due now (delay 0: the runtime's executor tasks), in order. Same order as if they were
     * in {@link #events}: an event in {@code events} due now was scheduled before now, so it comes
     * first; these come before anything due later. Keeps the priority queue small.
     */
    private final java.util.ArrayDeque<Event> immediate = new java.util.ArrayDeque<>();
    private final List<Client> clients = new ArrayList<>();
    private final List<Client> probes = new ArrayList<>();
    private long now;
    private long sequence;
    private long healAt;
    private boolean healed;
    private boolean finished;
    private long deadline;
    private RejoinCheck rejoin;
    /** The operator's own randomness (membership changes), and how often it changes something (0: never). */
    private final SplittableRandom operator;
    private final int membershipEveryTicks;
    /** How often (about) a node loses its whole disk (0: never); one at a time, replaced before the next. */
    private final int wipeEveryTicks;
    /** Until then the operator changes nothing (a wipe is coming, and no change may be in flight then). */
    private long quietUntil;
    /** Membership changes the operator proposed that may still be chosen (the wipe rule counts them). */
    final OperatorChanges operatorChanges = new OperatorChanges();
    long wipes;
    /** Operator replacements of a wiped node by its new incarnation that came into force. */
    long replacements;
    long membershipChanges;
    /** Changes that came into force for their proposer. */
    long membershipApplied;
    private long crashes;
    private long timeouts;
    private long eventCount;
    long checkpointInstalls;
    long compactions;
    /** Times a replica lacked the version in force, and times one version took over from another. */
    long versionHolds;
    long versionHandOvers;
    private long installCrashes;
    /** What every node's simulated disk sees of the run: its time, fsync latencies, the agreement oracle. */
    final SimLogStore.Host disks = new SimLogStore.Host() {
        @Override
        public long now() {
            return now;
        }

        @Override
        public long fsyncDelay() {
            return Simulation.this.fsyncDelay();
        }

        @Override
        public void after(long delay, Runnable action) {
            Simulation.this.after(delay, action);
        }

        @Override
        public void chosen(int node, int group, long instance, byte[] value) {
            oracle.chosen(node, group, instance, value);
        }
    };
    /** {@link Variant#NONDETERMINISTIC_REPLICA}: node 1's one departure happened. */
    boolean perturbed;

    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private Simulation(long seed, Variant variant, java.nio.file.Path diskRoot) {
        this.diskRoot = diskRoot;
        this.seed = seed;
        this.variant = variant;
        this.random = new SplittableRandom(seed);
        this.params = SimParams.draw(random);
        // drawn from a stream of its own, so that the seeds' other draws stay what they were
        this.operator = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 14);
        // membership changes and wiped disks are drawn unless switched off (-Dpaxos.sim.membership=false)
        boolean on = !"false".equals(System.getProperty("paxos.sim.membership"));
        int[] every = {0, 0, 15, 40, 100};
        int drawn = every[operator.nextInt(every.length)];
        this.membershipEveryTicks = on ? drawn : 0;
        int[] wipes = {0, 0, 100, 250};
        int wipe = wipes[operator.nextInt(wipes.length)];
        this.wipeEveryTicks = on ? wipe : 0;
        this.oracle = new Oracle(params.nodes(), params.groups(), !variant.nondeterministicReplica);
        this.network = new SimNetwork(this, params.nodes());
        List<Member> members = new ArrayList<>();
        for (int n = 1; n <= params.nodes(); n++) members.add(new Member(n, "127.0.0.1", 7000 + n,
                n > params.nodes() - params.followers() ? MemberRole.FOLLOWER : MemberRole.VOTER));
        Membership membership = new Membership(0, members);
        this.bootstrap = membership;
        nodes = new SimNode[params.nodes() + 1];
        for (int n = 1; n <= params.nodes(); n++) nodes[n] = new SimNode(this, n, membership);
    }

    /** Runs one seed of the production build. */
    public static SimResult run(long seed) {
        return run(seed, Variant.CORRECT);
    }

    /** Runs one seed of the given build. */
    public static SimResult run(long seed, Variant variant) {
        return run(seed, variant, null);
    }

    /**
     * Runs one seed with every node's durable log on the production LevelDB store under
     * {@code diskRoot} (one directory per node; {@code null}: in memory). Slower; a few seeds
     * prove the real storage keeps what the simulated fsyncs made durable across crashes.
     */
    public static SimResult run(long seed, Variant variant, java.nio.file.Path diskRoot) {
        Simulation s = new Simulation(seed, variant, diskRoot);
        try {
            s.execute();
        } catch (RuntimeException e) {
            s.oracle.violation("exception: " + e + " at " + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"));
        } finally {
            for (int n = 1; n < s.nodes.length; n++) s.nodes[n].store.close();
        }
        return new SimResult(seed, s.params.toString(), List.copyOf(s.oracle.violations()), s.stats());
    }

    private void execute() {
        for (int n = 1; n <= params.nodes(); n++) {
            nodes[n].start();
            int node = n;
            after(random.nextInt(params.tickUnits()[n]) + 1L, () -> tickLoop(node));
            if (params.retention() > 0) after(1L + random.nextInt(params.compactEveryTicks() * SimParams.TICK_UNITS), () -> compactLoop(node));
        }
        int id = 0;
        for (int g = 0; g < params.groups(); g++) {
            for (int c = 0; c < params.clientsPerGroup(); c++) {
                Client client = new Client(++id, g, false);
                clients.add(client);
                after(1 + random.nextInt(20 * SimParams.TICK_UNITS), () -> submit(client));
            }
        }
        healAt = (long) params.faultTicks() * SimParams.TICK_UNITS;
        after(SimParams.TICK_UNITS, this::faultLoop);
        if (params.longOutagePermille() > 0) {
            // one guaranteed long outage, so that the seed's retention is actually outrun
            after(SimParams.TICK_UNITS * (20L + random.nextInt(params.faultTicks() / 3)), () -> {
                SimNode victim = nodes[1 + random.nextInt(params.nodes())];
                if (!healed && victim.up) crash(victim, 150 + random.nextInt(300));
            });
        }
        if (params.versionPermille() > 0) {
            // later versions reach each node at a time of its own (a rolling upgrade), all of them by the healing
            for (int n = 1; n <= params.nodes(); n++) {
                for (String v : SimNode.VERSIONS.subList(1, SimNode.VERSIONS.size())) {
                    SimNode node = nodes[n];
                    after(1 + random.nextLong(healAt), () -> node.install(v));
                }
            }
        }
        if (membershipEveryTicks > 0) after((long) membershipEveryTicks * SimParams.TICK_UNITS, this::membershipLoop);
        if (wipeEveryTicks > 0) after((long) (1 + operator.nextInt(wipeEveryTicks)) * SimParams.TICK_UNITS, this::wipeLoop);
        after(healAt, this::heal);
        deadline = healAt + (long) SimParams.LIVENESS_TICKS * SimParams.TICK_UNITS;
        while (!finished && (!immediate.isEmpty() || !events.isEmpty())) {
            Event e = immediate.isEmpty() || !events.isEmpty() && events.peek().time() <= now ? events.poll() : immediate.poll();
            now = e.time();
            if (now > deadline) break;
            oracle.time(now);
            eventCount++;
            e.action().run();
            if (!oracle.violations().isEmpty()) return;
        }
        if (!finished) oracle.violation("liveness: not converged " + SimParams.LIVENESS_TICKS + " ticks after healing: " + progress());
        oracle.checkAcks();
    }

    // ---------------------------------------------------------------- scheduling and randomness

    void after(long delay, Runnable action) {
        if (delay == 0) immediate.add(new Event(now, sequence++, action));
        else events.add(new Event(now + delay, sequence++, action));
    }

    boolean chance(int permille) {
        return permille > 0 && random.nextInt(1000) < permille;
    }

    long now() {
        return now;
    }

    long fsyncDelay() {
        return 1 + random.nextInt(params.fsyncUnitsMax());
    }

    SplittableRandom forkRandom() {
        return random.split();
    }

    private void tickLoop(int n) {
        nodes[n].tick();
        after(params.tickUnits()[n], () -> tickLoop(n));
    }

    private void compactLoop(int n) {
        nodes[n].compact();
        after((long) params.compactEveryTicks() * SimParams.TICK_UNITS, () -> compactLoop(n));
    }

    // ---------------------------------------------------------------- faults

    /** A crash point inside a checkpoint install (fault phase only); true if the node crashed. */
    boolean crashDuringInstall(SimNode node) {
        if (healed) return false;
        installCrashes++;
        crash(node, 2 + random.nextInt(20));
        return true;
    }

    private void crash(SimNode victim, long downTicks) {
        victim.crash();
        crashes++;
        after(downTicks * SimParams.TICK_UNITS, () -> {
            if (!victim.up) victim.start();
        });
    }

    private void faultLoop() {
        if (healed) return;
        if (chance(params.crashPermillePerTick())) {
            SimNode victim = pickVictim();
            if (victim.up) {
                // a long outage: long enough to fall behind every peer's retained log (checkpoint catch-up)
                long downTicks = chance(params.longOutagePermille()) ? 150 + random.nextInt(300)
                        : random.nextBoolean() ? 2 + random.nextInt(20) : 20 + random.nextInt(200);
                crash(victim, downTicks);
            }
        }
        if (!network.partitioned() && chance(params.partitionPermillePerTick())) {
            network.partition();
            after((20 + random.nextInt(150)) * (long) SimParams.TICK_UNITS, () -> {
                if (!healed) network.heal();
            });
        }
        after(SimParams.TICK_UNITS, this::faultLoop);
    }

    /** Half the time a node with writes waiting for their fsync: the interesting moment to lose power. */
    private SimNode pickVictim() {
        if (random.nextBoolean()) {
            List<SimNode> syncing = new ArrayList<>();
            for (int n = 1; n <= params.nodes(); n++) if (nodes[n].up && nodes[n].syncPending()) syncing.add(nodes[n]);
            if (!syncing.isEmpty()) return syncing.get(random.nextInt(syncing.size()));
        }
        return nodes[1 + random.nextInt(params.nodes())];
    }

    private void heal() {
        healed = true;
        network.faulty = false;
        network.heal();
        for (int n = 1; n <= params.nodes(); n++) {
            if (!nodes[n].up) nodes[n].start();
            for (String v : SimNode.VERSIONS) nodes[n].install(v);
        }
        for (int g = 0; g < params.groups(); g++) {
            Client probe = new Client(1000 + g, g, true);
            probes.add(probe);
            after(5L * SimParams.TICK_UNITS, () -> submit(probe));
        }
        after(5L * SimParams.TICK_UNITS, this::checkConverged);
    }

    // ---------------------------------------------------------------- clients

    private void submit(Client c) {
        if (healed && !c.probe) return;
        SimNode node = nodes[1 + random.nextInt(params.nodes())];
        if (!node.up || !node.propose(c)) {
            after(1 + random.nextInt(5 * SimParams.TICK_UNITS), () -> submit(c));
            return;
        }
        long requestId = c.requestId;
        after((long) SimParams.CLIENT_TIMEOUT_TICKS * SimParams.TICK_UNITS, () -> {
            if (c.node == node.id && c.requestId == requestId) {
                timeouts++;
                node.forget(c);
                c.node = 0;
                submit(c);
            }
        });
    }

    void clientAcked(Client c, long instance, int index) {
        if (!c.claim) oracle.acked(c.group, instance, index, c.value);
        c.node = 0;
        if (c.probe) {
            c.acked = true;
            return;
        }
        after(random.nextInt(5 * SimParams.TICK_UNITS) + 1L, () -> submit(c));
    }

    void clientFailed(Client c) {
        if (c.probe) {
            c.node = 0;
            after(SimParams.TICK_UNITS, () -> submit(c));
            return;
        }
        c.node = 0;
        after(random.nextInt(5 * SimParams.TICK_UNITS) + 1L, () -> submit(c));
    }

    // ---------------------------------------------------------------- membership changes

    /**
     * An operator changes one group's membership through a random live node, during the faults:
     * removes a member, adds back a node that is not one (voter or follower), replaces a member by
     * such a node, or promotes/demotes one. The runtime refuses what does not apply.
     */
    private void membershipLoop() {
        if (healed) return;
        after((long) (1 + operator.nextInt(2 * membershipEveryTicks)) * SimParams.TICK_UNITS, this::membershipLoop);
        SimNode via = nodes[1 + operator.nextInt(params.nodes())];
        if (!via.up || wiped() != null || now < quietUntil) return; // a sane operator replaces a lost machine first
        int g = operator.nextInt(params.groups());
        Membership m = via.membershipInForce(g);
        List<Integer> outside = new ArrayList<>();
        for (int n = 1; n <= params.nodes(); n++) if (!m.contains(n)) outside.add(n);
        Member any = m.members().get(operator.nextInt(m.members().size()));
        paxos.api.MembershipChange change;
        int kind = operator.nextInt(4);
        if (!outside.isEmpty() && kind <= 1) {
            int n = outside.get(operator.nextInt(outside.size()));
            Member add = nodes[n].member(operator.nextInt(3) == 0 ? MemberRole.FOLLOWER : MemberRole.VOTER);
            change = kind == 0 ? new paxos.api.MembershipChange.Add(add) : new paxos.api.MembershipChange.Replace(any.nodeId(), add);
        } else if (kind == 2) {
            change = new paxos.api.MembershipChange.Remove(any.nodeId());
        } else {
            change = new paxos.api.MembershipChange.ChangeRole(any.nodeId(),
                    any.role() == MemberRole.VOTER ? MemberRole.FOLLOWER : MemberRole.VOTER);
        }
        membershipChanges++;
        via.changeMembership(g, change);
    }

    // ---------------------------------------------------------------- wiped disks

    /**
     * A node loses its whole disk, during the faults, and comes back (after a while) through the
     * join path with a new incarnation. Only a node whose loss leaves every group a quorum of other
     * intact voters ({@link #othersAreQuorum}), and one at a time: the
     * operator replaces it by itself ({@link #replaceLoop}) before another goes.
     */
    private void wipeLoop() {
        if (healed) return;
        after((long) (1 + operator.nextInt(2 * wipeEveryTicks)) * SimParams.TICK_UNITS, this::wipeLoop);
        if (wiped() != null || now < quietUntil) return;
        if (membershipEveryTicks == 0) {
            wipeOne();
            return;
        }
        // no other change in flight when a disk goes: a disk lost in the middle of a shrink to two voters is
        // a cluster lost, in production too. Quiet for a proposal timeout settles most; one that timed out may
        // still be chosen later by a leader's recovery, so othersAreQuorum counts those too (seed 1845)
        quietUntil = now + (SimParams.CLIENT_TIMEOUT_TICKS + 20L) * SimParams.TICK_UNITS;
        after(quietUntil - now, this::wipeOne);
    }

    private void wipeOne() {
        quietUntil = 0;
        if (healed || wiped() != null) return;
        // half the time the node that knows the most (usually a leader, in every recent quorum): the
        // loss that puts the most votes at stake, still within the rule below
        SimNode ahead = mostAdvanced(0);
        SimNode victim = operator.nextBoolean() && ahead != null ? ahead : nodes[1 + operator.nextInt(params.nodes())];
        for (int g = 0; g < params.groups(); g++) if (!othersAreQuorum(g, victim.id)) return;
        boolean wasUp = victim.up;
        victim.wipe();
        wipes++;
        if (wasUp) {
            crashes++;
            after((2L + operator.nextInt(60)) * SimParams.TICK_UNITS, () -> {
                if (!victim.up) victim.start();
            });
        }
        after(20L * SimParams.TICK_UNITS, this::replaceLoop);
    }

    /**
     * True if the voters other than {@code node}, each counted only while it still holds the disk it
     * is listed with, are a quorum of every membership the chosen values put in force from the
     * first instance some other node does not know chosen on (instances the node alone learned may
     * still need its vote to be recovered), every other node being up: the rule a careful operator
     * obeys (never wipe a disk unless a quorum of intact, caught-up disks of every membership still
     * needing votes remains), nor of what a change it proposed would put in force if still chosen
     * ({@link OperatorChanges}).
     */
    private boolean othersAreQuorum(int g, int node) {
        paxos.impl.core.ConfigTracker chosen = oracle.memberships(g, bootstrap);
        if (chosen == null) return false;
        long from = Long.MAX_VALUE;
        for (int n = 1; n <= params.nodes(); n++) {
            if (n == node) continue;
            if (!nodes[n].up) return false;
            from = Math.min(from, nodes[n].chosenUpTo(g) + 1);
        }
        List<Membership> memberships = new ArrayList<>(chosen.history().tailMap(from, false).values());
        memberships.add(chosen.at(from));
        // and what a change proposed earlier would put in force if a leader still chose it (seed 1845)
        memberships.addAll(operatorChanges.mayStillApply(g, chosen.latest().configVersion()));
        for (Membership m : memberships) {
            // a voter counts only as the disk it is listed with: a replaced node is not a voter of the
            // instances before its replacement came into force (seed 694: the second wipe lost them)
            long others = m.members().stream()
                    .filter(x -> x.role() == MemberRole.VOTER && x.nodeId() != node && nodes[x.nodeId()].holdsDiskOf(x)).count();
            if (others < m.quorum()) return false;
        }
        return true;
    }

    /** The wiped node not yet replaced by its new incarnation in every group, or {@code null}. */
    private SimNode wiped() {
        for (int n = 1; n <= params.nodes(); n++) if (nodes[n].joining) return nodes[n];
        return null;
    }

    /**
     * The operator replaces the wiped node by itself under its new incarnation, group by group,
     * through a random live node (also after the healing, until done): wherever the membership in
     * force lists the node under another incarnation. Done when none does.
     */
    private void replaceLoop() {
        SimNode n = wiped();
        if (n == null) return;
        boolean done = true;
        for (int g = 0; g < params.groups(); g++) {
            SimNode best = mostAdvanced(g);
            if (best == null) {
                done = false;
                continue;
            }
            for (Member x : best.latestMembership(g).members()) {
                if (x.nodeId() != n.id || n.incarnation().equals(x.incarnation())) continue;
                done = false;
                SimNode via = nodes[1 + operator.nextInt(params.nodes())];
                if (via.up && n.up) via.changeMembership(g, new paxos.api.MembershipChange.Replace(n.id, n.member(x.role())));
            }
            Membership inForce = best.membershipInForce(g);
            if (inForce.members().stream().anyMatch(x -> x.nodeId() == n.id && !n.incarnation().equals(x.incarnation()))) done = false;
        }
        if (done) {
            n.joining = false;
            replacements++;
            return;
        }
        after(20L * SimParams.TICK_UNITS, this::replaceLoop);
    }

    /** The membership in force in {@code g} as the most advanced live node sees it. */
    Membership inForce(int g) {
        SimNode best = mostAdvanced(g);
        return best == null ? null : best.membershipInForce(g);
    }

    /** The live node that knows the most chosen instances of {@code g}, or {@code null}. */
    private SimNode mostAdvanced(int g) {
        SimNode best = null;
        for (int n = 1; n <= params.nodes(); n++) {
            if (nodes[n].up && (best == null || nodes[n].chosenUpTo(g) > best.chosenUpTo(g))) best = nodes[n];
        }
        return best;
    }

    // ---------------------------------------------------------------- liveness

    private void checkConverged() {
        if (converged()) {
            // then: does a node coming back from a cut depose healthy leaders?
            rejoin = new RejoinCheck(this);
            deadline += rejoin.start(() -> finished = true);
            return;
        }
        after(5L * SimParams.TICK_UNITS, this::checkConverged);
    }

    private boolean converged() {
        for (Client c : clients) if (c.waiting()) return false;
        for (Client p : probes) if (!p.acked) return false;
        for (int g = 0; g < params.groups(); g++) {
            long max = oracle.maxChosen(g);
            Membership m = inForce(g);
            for (int n = 1; n <= params.nodes(); n++) {
                if (m != null && !m.contains(n)) continue; // removed: it no longer learns this group
                if (nodes[n].executed(g) != max || oracle.lastExecuted(n, g) != max) return false;
            }
        }
        return true;
    }

    private String progress() {
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < params.groups(); g++) {
            b.append("g").append(g).append(" maxChosen=").append(oracle.maxChosen(g)).append(" executed=[");
            for (int n = 1; n <= params.nodes(); n++) {
                b.append(nodes[n].executed(g)).append(n < params.nodes() ? "," : "");
            }
            b.append("] roles=[");
            for (int n = 1; n <= params.nodes(); n++) {
                b.append(nodes[n].up ? nodes[n].core(g).role().name().charAt(0) : '-');
            }
            b.append("]");
            for (int n = 1; n <= params.nodes(); n++) b.append(nodes[n].holds(g));
            Membership m = inForce(g);
            if (m != null && m.configVersion() > 0) b.append(" members@").append(m.configVersion()).append('=')
                    .append(m.members().stream().map(x -> x.nodeId() + (x.role() == MemberRole.VOTER ? "v" : "f")).toList());
            b.append(" ");
        }
        long waitingClients = clients.stream().filter(Client::waiting).count();
        long unackedProbes = probes.stream().filter(p -> !p.acked).count();
        return b + "waitingClients=" + waitingClients + " unackedProbes=" + unackedProbes;
    }

    private String stats() {
        long chosen = 0;
        for (int g = 0; g < params.groups(); g++) chosen += oracle.maxChosen(g) + 1;
        return "time=" + now + " events=" + eventCount + " chosenInstances=" + chosen + " acked=" + oracle.ackCount()
                + " clientTimeouts=" + timeouts + " crashes=" + crashes + " messages=" + network.sent
                + " dropped=" + network.dropped + " compactions=" + compactions + " checkpointInstalls=" + checkpointInstalls
                + " installCrashes=" + installCrashes + " versionActivations=" + oracle.versionActivations()
                + " versionHolds=" + versionHolds + " versionHandOvers=" + versionHandOvers
                + " rejoinLeaderChanges=" + (rejoin == null ? -1 : rejoin.changes)
                + " membershipChanges=" + membershipChanges + "/" + membershipApplied + " wipes=" + wipes + "/" + replacements;
    }

    long seed() {
        return seed;
    }
}
