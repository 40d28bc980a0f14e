package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.Message;

/**
 * A leader sends its accepts before its own accept is durable (its fsync runs in parallel with the
 * followers'), but counts its own vote only once durable: one follower's vote alone chooses nothing.
 * The simulator's {@code OWN_VOTE_BEFORE_FSYNC} variant is the broken rule of the last test.
 */
class EarlyEffectsTest {
    private static final BatchCommand COMMAND = new BatchCommand(1, -1, 1, 0, new byte[] {7});

    /** Node 1 of 3 elected with node 2's promise; its own promise made durable. */
    private static GroupRunner leader(GroupRunnerTimeTest.HeldStore store, List<Message> sent, Early early) {
        GroupRunner r = GroupRunnerTimeTest.runner(1, store.store, sent, new ManualClock(),
                Durability.Rule.PRODUCTION, early);
        for (int i = 0; i < 1000 && sent.stream().noneMatch(Message.PreVote.class::isInstance); i++) r.tick();
        Message.PreVote pv = sent.stream().filter(Message.PreVote.class::isInstance).map(Message.PreVote.class::cast)
                .filter(v -> v.to() == 2).findFirst().orElseThrow();
        r.receive(new Message.PreVoteReply(0, 2, 1, pv.ballot(), true));
        assertTrue(sent.stream().noneMatch(Message.Prepare.class::isInstance), "prepares wait for the own promise");
        store.held.get(0).complete(null); // the own promise is durable
        Message.Prepare p = sent.stream().filter(Message.Prepare.class::isInstance).map(Message.Prepare.class::cast)
                .filter(m -> m.to() == 2).findFirst().orElseThrow();
        r.receive(new Message.Promise(0, 2, 1, p.ballot(), p.fromInstance(), -1, List.of(), false));
        sent.clear();
        return r;
    }

    private static List<Message.Accept> accepts(List<Message> sent) {
        return sent.stream().filter(Message.Accept.class::isInstance).map(Message.Accept.class::cast).toList();
    }

    private static boolean committed(List<Message> sent) {
        return sent.stream().anyMatch(Message.Commit.class::isInstance);
    }

    private final GroupRunnerTimeTest.HeldStore store = new GroupRunnerTimeTest.HeldStore();
    private final List<Message> sent = new ArrayList<>();

    /** Node 2's or 3's durable vote for {@code a}. */
    private static void vote(GroupRunner r, int node, Message.Accept a) {
        r.receive(new Message.Accepted(0, node, 1, a.ballot(), a.instance()));
    }

    @Test
    void theLeaderSendsItsAcceptsBeforeItsOwnFsyncAndCountsItsVoteOnlyAfterIt() {
        GroupRunner r = leader(store, sent, Early.PRODUCTION);
        r.propose(List.of(COMMAND), 1000);
        int accept = store.synced.size() - 1;
        assertTrue(store.synced.get(accept).get(0) instanceof LogRecord.Accept);
        List<Message.Accept> out = accepts(sent);
        assertEquals(2, out.size(), "accepts to nodes 2 and 3 before the own accept is durable: " + sent);
        vote(r, 2, out.get(0));
        assertFalse(committed(sent), "chosen with a vote that is not durable yet: " + sent);
        store.held.get(accept).complete(null);
        assertTrue(committed(sent), "the own vote, durable now, with node 2's is a quorum: " + sent);
    }

    @Test
    void twoFollowersChooseAndExecutionBeginsWithoutWaitingForTheLeadersFsync() {
        GroupRunner r = leader(store, sent, Early.PRODUCTION);
        r.propose(List.of(COMMAND), 1000);
        Message.Accept a = accepts(sent).get(0);
        vote(r, 2, a);
        assertEquals(0, r.unexecutedBytes(), "one durable vote chooses nothing");
        vote(r, 3, a);
        assertTrue(committed(sent), "a quorum of durable votes without the leader's: " + sent);
        // (no state machine is registered here, so the value waits in the executor: handed over is what counts)
        assertTrue(r.unexecutedBytes() > 0, "chosen by two durable votes, a fact whatever this node's disk holds: the"
                + " value goes to execution while the leader's own accept is still on its way to disk");
    }

    @Test
    void withoutApplyingEarlyExecutionWaitsForTheLeadersOwnFsync() {
        Early late = (m, self, promisePending) -> Early.PRODUCTION.sendEarly(m, self, promisePending);
        GroupRunner r = leader(store, sent, late);
        r.propose(List.of(COMMAND), 1000);
        int accept = store.synced.size() - 1;
        Message.Accept a = accepts(sent).get(0);
        vote(r, 2, a);
        vote(r, 3, a);
        assertEquals(0, r.unexecutedBytes(), "the chosen value waits for the Readies before its own to be durable");
        store.held.get(accept).complete(null);
        assertTrue(r.unexecutedBytes() > 0);
    }

    @Test
    void executionRunsAheadOfTheDurableLogByTheBoundAndNoFurther() {
        Early bounded = new Early() {
            @Override public boolean sendEarly(Message m, int self, boolean promisePending) {
                return Early.PRODUCTION.sendEarly(m, self, promisePending);
            }
            @Override public boolean applyEarly() { return true; }
            @Override public long applyAheadMax() { return 1; }
        };
        GroupRunner r = leader(store, sent, bounded);
        r.propose(List.of(COMMAND), 1000);
        Message.Accept first = accepts(sent).get(0);
        vote(r, 2, first);
        vote(r, 3, first);
        long one = r.unexecutedBytes();
        assertTrue(one > 0, "instance 0 is one beyond the durable log (nothing yet): within the bound");
        sent.clear();
        r.propose(List.of(COMMAND), 1000);
        Message.Accept second = accepts(sent).get(0);
        assertEquals(first.instance() + 1, second.instance());
        vote(r, 2, second);
        vote(r, 3, second);
        assertEquals(one, r.unexecutedBytes(), "instance 1 is two beyond the durable log: it waits for its Ready");
        List.copyOf(store.held).forEach(f -> f.complete(null)); // the leader's accepts are durable
        assertTrue(r.unexecutedBytes() > one, "then it goes to execution");
    }

    @Test
    void underTheBrokenRuleTheOwnVoteCountsBeforeItsFsync() {
        Early broken = (m, self, promisePending) -> (m instanceof Message.Accepted a && a.to() == self)
                || Early.PRODUCTION.sendEarly(m, self, promisePending);
        GroupRunner r = leader(store, sent, broken);
        r.propose(List.of(COMMAND), 1000);
        vote(r, 2, accepts(sent).get(0));
        assertTrue(committed(sent), "the broken rule commits on a vote not yet durable: " + sent);
    }
}
