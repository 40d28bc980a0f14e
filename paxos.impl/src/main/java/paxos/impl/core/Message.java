package paxos.impl.core;

import java.util.List;
import java.util.Objects;

/**
 * The messages cores exchange. Every message names its group and its sender and receiver node
 * IDs; the runtime routes {@code to()} through the transport and hands received ones to the
 * receiving group's {@link GroupCore#step}. Byte arrays are shared and never modified. A
 * versioned wire codec for these records lives outside the core.
 *
 * <p>Instance ranges are half-open {@code [from, to)}; "chosenUpTo" is the sender's highest
 * instance such that every instance up to it is known chosen there ({@code -1} if none).
 */
public sealed interface Message {
    /** The group. */
    int group();

    /** The sender's node ID. */
    int from();

    /** The receiver's node ID. */
    int to();

    /**
     * An accepted or chosen value an acceptor reports in a {@link Promise} or a
     * {@link CatchUpReply}.
     */
    record Entry(long instance, long ballot, byte[] value, boolean chosen) {
        public Entry {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Pre-vote: would the receiver promise a ballot above its own to the sender? Nothing is
     * promised or persisted; {@code ballot} names the round (the ballot the sender would run).
     */
    record PreVote(int group, int from, int to, long ballot) implements Message {}

    /**
     * The answer to a {@link PreVote}: {@code granted} unless the receiver heard a live leader
     * (other than the sender) within an election timeout, or leads itself.
     */
    record PreVoteReply(int group, int from, int to, long ballot, boolean granted) implements Message {}

    /** Phase 1a, group-wide: promise {@code ballot} and report accepts of instances {@code >= fromInstance}. */
    record Prepare(int group, int from, int to, long ballot, long fromInstance) implements Message {}

    /**
     * Phase 1b: the sender promised {@code ballot}. {@code entries} are its accepted (or known
     * chosen) values for instances {@code >= fromInstance}, in increasing order, bounded;
     * {@code more} says the list was truncated and the proposer must ask again from the
     * last entry + 1.
     */
    record Promise(int group, int from, int to, long ballot, long fromInstance, long chosenUpTo,
                   List<Entry> entries, boolean more) implements Message {
        public Promise {
            entries = List.copyOf(entries);
        }
    }

    /** Phase 2a: accept {@code value} for {@code instance} at {@code ballot}; carries the leader's chosenUpTo. */
    record Accept(int group, int from, int to, long ballot, long instance, byte[] value, long chosenUpTo) implements Message {
        public Accept {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Phase 2b: the sender accepted {@code instance} at {@code ballot}. */
    record Accepted(int group, int from, int to, long ballot, long instance) implements Message {}

    /** The sender refused {@code ballot} because it promised the higher {@code promised}. */
    record Reject(int group, int from, int to, long ballot, long promised) implements Message {}

    /**
     * {@code instance} was chosen at {@code ballot}. {@code value} is {@code null} when the
     * sender knows the receiver accepted that ballot's value (it then has the bytes).
     */
    record Commit(int group, int from, int to, long instance, long ballot, byte[] value, long chosenUpTo) implements Message {}

    /** The active proposer is alive; {@code chosenUpTo} lets followers notice they are behind. */
    record Heartbeat(int group, int from, int to, long ballot, long chosenUpTo) implements Message {}

    /**
     * Read-index confirmation round {@code round} of the leader at {@code ballot}: the receiver
     * answers with a {@link ReadProbeAck} unless it promised a higher ballot (then a {@link Reject}).
     */
    record ReadProbe(int group, int from, int to, long ballot, long round) implements Message {}

    /** The sender had promised no ballot above {@code ballot} when it answered {@code round}. */
    record ReadProbeAck(int group, int from, int to, long ballot, long round) implements Message {}

    /**
     * A follower's LINEARIZABLE read {@code tag} (unique on the sender, across its restarts too):
     * asks the leader for its read index, taken when this arrives (see {@link FollowerReads}).
     */
    record ReadIndexRequest(int group, int from, int to, long tag) implements Message {}

    /**
     * The leader's answer to {@link ReadIndexRequest} {@code tag}: {@code index} was taken when the
     * request arrived and a quorum round started after that confirmed the sender still led; or
     * {@link GroupCore.ReadDone#UNCONFIRMED}: refused (not leader, too many reads waiting, not
     * confirmed in time), the follower falls back to a barrier.
     */
    record ReadIndexReply(int group, int from, int to, long tag, long index) implements Message {}

    /** Asks for the chosen values of {@code [fromInstance, toInstance)}; the reply is bounded. */
    record CatchUpRequest(int group, int from, int to, long fromInstance, long toInstance) implements Message {}

    /** Chosen values, increasing, possibly with gaps where the sender has none; bounded. */
    record CatchUpReply(int group, int from, int to, List<Entry> entries, long chosenUpTo) implements Message {
        public CatchUpReply {
            entries = List.copyOf(entries);
        }
    }

    /**
     * Proposals a non-leader hands to the node it believes is the leader. Each inner list is
     * one unit that must share an instance. {@code hops} bounds re-forwarding.
     */
    record Forward(int group, int from, int to, List<List<BatchCommand>> units, int hops) implements Message {
        public Forward {
            units = units.stream().map(List::copyOf).toList();
        }
    }
}
