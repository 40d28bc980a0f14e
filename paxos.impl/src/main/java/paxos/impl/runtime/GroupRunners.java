package paxos.impl.runtime;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.Transport;
import paxos.api.statemachine.StateMachine;
import paxos.impl.codec.CodecException;
import paxos.impl.codec.MessageCodec;
import paxos.impl.core.Message;
import paxos.impl.exec.DigestRecorder;

/**
 * The engine's group runners, one per group, and the one owner of that array: builds each from
 * the store ({@link GroupRecovery}) around the engine's pools and transport, replaces one when
 * its group resumes from an installed checkpoint, ticks them, and delivers the consensus
 * messages the transport received to them (decoded and checked against the sender).
 *
 * <p><b>Threads.</b> {@link #startAll} once, under the engine's lock; {@link #get} from any
 * thread ({@code null} before start); {@link #build} and {@link #replace} from a checkpoint
 * install thread; {@link #deliver} on transport threads; {@link #tick} on the engine clock.
 * <b>Failures.</b> A group whose files do not fit together is built failed (its status says
 * why), never thrown; an undecodable or misaddressed message is dropped.
 */
final class GroupRunners {
    private static final System.Logger LOG = System.getLogger(GroupRunners.class.getName());
    /** Ticks between bookkeeping rounds (positions, master history, retention). */
    private static final int HOUSEKEEPING_TICKS = 100;
    /** Inbound messages queued per group before more are dropped (Paxos retransmits). */
    private static final int INBOUND_MAX = 10_000;

    /** Whether a catch-up request is answered outside the core (the log no longer holds it). */
    @FunctionalInterface
    interface CompactedAnswer {
        boolean answered(int fromNode, int group, long fromInstance);
    }

    private final EngineConfig config;
    private final LogStore store;
    private final Transport transport;
    private final EngineThreads threads;
    private final StateMachineRegistry registry;
    private final DigestExchange digests;
    private final int digestInterval;
    private final GroupRecovery recovery;
    private final MessageCodec codec;
    /** One runner per group; an element is replaced when the group resumes from an installed checkpoint. */
    private final AtomicReferenceArray<GroupRunner> runners;
    /**
     * This start's request IDs, shared by every runner: a runner rebuilt after a checkpoint install
     * continues the sequence (peers drop a (node, request ID) already seen) and keeps its group open.
     */
    private volatile RequestIds requestIds;
    /** The transport's peers follow every group's membership. */
    private final PeerMembers peers;
    /** Drops votes from a former incarnation of a member; one per node (its pins hold for every group). */
    private final IncarnationGate gate = IncarnationGate.create();
    /** Serves every group's catch-up reads, paced by the bytes the transport holds per learner. */
    private final CatchUpServer catchUp;
    /** Value bytes the node's groups appended and the store has not completed (see {@code ReadyPipeline}). */
    private final AtomicLong nodeWriting = new AtomicLong();

    /** The gate (its pins tell which incarnation of a bootstrap member this node counts). */
    IncarnationGate gate() {
        return gate;
    }

    GroupRunners(EngineConfig config, LogStore store, Transport transport, EngineThreads threads, StateMachineRegistry registry,
                 DigestExchange digests, int digestInterval, GroupRecovery recovery, CatchUpServer.Compacted compacted) {
        this.config = config;
        this.store = store;
        this.transport = transport;
        this.threads = threads;
        this.registry = registry;
        this.digests = digests;
        this.digestInterval = digestInterval;
        this.recovery = recovery;
        int entriesMax = Math.max(config.batchCountMax() * 64, 65_536);
        this.codec = new MessageCodec(entriesMax, Math.max(config.batchBytesMax(), config.maxValueBytes()) + 64);
        this.runners = new AtomicReferenceArray<>(config.groupCount());
        this.peers = new PeerMembers(transport, config.groupCount());
        this.catchUp = new CatchUpServer(threads.io(), transport::queuedBytes, compacted);
    }

    /** The group's current runner; {@code null} before start. */
    GroupRunner get(int group) {
        return runners.get(group);
    }

    /** Builds every group from the store and hands each the registrations in force. */
    void startAll() {
        requestIds = RequestIds.start(store, runners.length());
        if (!requestIds.isOpen(0)) LOG.log(Level.INFO, "node {0}: request IDs not checked yet (a new data directory, or one"
                + " of an older version): each group takes proposals once this node has executed its history of node ID {0};"
                + " until then they wait", config.nodeId());
        for (int g = 0; g < runners.length(); g++) {
            GroupRunner r = build(g, registry.machines(g));
            runners.set(g, r);
            registry.registrations(g).forEach(r::register);
        }
    }

    /**
     * Builds group {@code g}'s runner from the store and the state machines' positions: at start,
     * and after installing a checkpoint (then the positions are the checkpoint's). A group whose
     * files do not fit together (see {@link StartupCheck}) is built failed, naming what is wrong.
     */
    GroupRunner build(int g, Map<Integer, StateMachine> machines) {
        GroupRecovery.Recovered rec = recovery.recover(g, machines);
        rec.executor().observer(new DigestRecorder(g, digestInterval, digests.sink(g)));
        Outbound outbound = m -> transport.send(m.to(), g, codec.encode(m));
        GroupRunner runner = new GroupRunner(g, config.nodeId(), rec.core(), rec.executor(), store, outbound, threads.loop(),
                threads.exec(), catchUp, INBOUND_MAX, requestIds, rec.meta(), registry, config.proposalTimeoutMillis());
        runner.countNodeWritesIn(nodeWriting);
        if (rec.inconsistent() != null) runner.fail(rec.inconsistent());
        runner.onMembership(peers::update);
        return runner;
    }

    /** Puts {@code runner} in place of the group's current one. */
    void replace(int group, GroupRunner runner) {
        runners.set(group, runner);
    }

    /**
     * A consensus message for {@code group} (valid, started) from {@code fromNode}, as the transport
     * authenticated it, presenting {@code incarnation} ({@code null}: none); votes go through the
     * node's {@link IncarnationGate}.
     */
    void deliver(int fromNode, String incarnation, int group, byte[] bytes, CompactedAnswer compacted) {
        Message m;
        try {
            m = codec.decode(bytes);
        } catch (CodecException e) {
            LOG.log(Level.DEBUG, "dropped undecodable message from node {0}: {1}", fromNode, e.getMessage());
            return;
        }
        // the transport authenticated fromNode; a message claiming another sender or group is dropped
        if (m.from() != fromNode || m.group() != group || m.to() != config.nodeId()) return;
        // below the retained log: say so (the requester may need a checkpoint) instead of dropping it
        if (m instanceof Message.CatchUpRequest q && compacted.answered(fromNode, group, q.fromInstance())) return;
        runners.get(group).receive(m, incarnation, gate);
    }

    /** Ticks every group, with a bookkeeping round every {@value #HOUSEKEEPING_TICKS} ticks (engine clock thread). */
    void tick(long ticks) {
        boolean housekeeping = ticks % HOUSEKEEPING_TICKS == 0;
        for (int g = 0; g < runners.length(); g++) {
            GroupRunner r = runners.get(g);
            r.tick();
            if (housekeeping) r.housekeeping(config.holdLogCount());
        }
    }

    /** Closes every runner built so far; waiting callers fail. */
    void closeAll() {
        for (int g = 0; g < runners.length(); g++) {
            GroupRunner r = runners.get(g);
            if (r != null) r.close();
        }
    }
}
