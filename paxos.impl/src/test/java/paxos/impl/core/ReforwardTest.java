package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A follower forwards its pending units again when the leader they went to is replaced, until it
 * sees them chosen; a deposed leader forwards its own unchosen proposals to the new leader.
 */
class ReforwardTest {
    private static final BatchCommand MINE = new BatchCommand(7, -1, 2, 42, "x".getBytes());

    private static List<Message.Forward> forwards(GroupCore core) {
        return core.hasReady() ? only(drain(core).messages(), Message.Forward.class) : List.of();
    }

    @Test
    void aUnitForwardedToALostLeaderGoesToTheNewOneAtOnceAndStopsOnceChosen() {
        GroupCore node = Fixture.core(2);
        node.step(new Message.Heartbeat(GROUP, 1, 2, Ballot.of(1, 1), -1));
        drain(node);
        node.propose(List.of(MINE));
        assertEquals(List.of(1), forwards(node).stream().map(Message::to).toList());

        node.step(new Message.Heartbeat(GROUP, 3, 2, Ballot.of(2, 3), -1)); // node 3 took over
        List<Message.Forward> again = forwards(node);
        assertEquals(List.of(3), again.stream().map(Message::to).toList());
        assertEquals(List.of(List.of(MINE)).toString(), again.get(0).units().toString());

        node.step(new Message.Commit(GROUP, 3, 2, 0, Ballot.of(2, 3), BatchCodec.encode(List.of(MINE)), 0));
        drain(node);
        node.step(new Message.Heartbeat(GROUP, 1, 2, Ballot.of(3, 1), 0)); // and node 1 again: nothing left to send
        assertEquals(List.of(), forwards(node));
    }

    @Test
    void aUnitTheSameLeaderDoesNotChooseIsForwardedToItOnceMoreAfterTwoElectionTimeouts() {
        GroupCore node = Fixture.core(2);
        long ballot = Ballot.of(1, 1);
        node.step(new Message.Heartbeat(GROUP, 1, 2, ballot, -1));
        drain(node);
        node.propose(List.of(MINE));
        assertEquals(List.of(1), forwards(node).stream().map(Message::to).toList());
        long resend = (long) GroupCore.RESEND_ELECTION_TIMEOUTS * node.config().electionTimeoutTicks();
        int again = 0;
        // the leader stays (its heartbeats keep coming) but never chooses the unit: its forward was lost
        for (long t = 0; t < 4 * resend; t++) {
            node.tick();
            node.step(new Message.Heartbeat(GROUP, 1, 2, ballot, -1));
            for (Message.Forward f : forwards(node)) {
                assertEquals(1, f.to());
                assertEquals(List.of(List.of(MINE)).toString(), f.units().toString());
                again++;
                assertTrue(t >= resend - 1, "not before " + resend + " ticks: " + t);
            }
        }
        assertEquals(1, again, "forwarded to the same leader once more, and only once");
    }

    @Test
    void aDeposedLeaderForwardsItsOwnUnchosenProposalsToTheNewLeaderAndLeavesOthersToTheirOwners() {
        GroupCore node = Fixture.core(1);
        Fixture.elect(node);
        BatchCommand own = Fixture.command(1, 11, "own");
        BatchCommand theirs = Fixture.command(2, 22, "theirs");
        node.step(new Message.Forward(GROUP, 2, 1, List.of(List.of(theirs)), 1));
        node.propose(List.of(own));
        Message.Accept a = only(drain(node).messages(), Message.Accept.class).get(0);
        assertEquals(2, BatchCodec.decode(a.value(), 100).size(), "one batch holds both");

        // cut off while node 3 was elected; at the heal its accept meets node 2's higher promise
        long higher = Ballot.of(Ballot.round(a.ballot()) + 1, 3);
        node.step(new Message.Reject(GROUP, 2, 1, a.ballot(), higher));
        assertEquals(GroupCore.Role.FOLLOWER, node.role());
        node.step(new Message.Heartbeat(GROUP, 3, 1, higher, -1));
        List<Message.Forward> again = forwards(node);
        assertEquals(List.of(3), again.stream().map(Message::to).toList());
        assertEquals(List.of(List.of(11L)), again.get(0).units().stream().map(u -> u.stream().map(BatchCommand::requestId).toList()).toList(),
                "its own command only");

        node.step(new Message.Commit(GROUP, 3, 1, 0, higher, BatchCodec.encode(List.of(own)), 0));
        drain(node);
        node.step(new Message.Heartbeat(GROUP, 2, 1, Ballot.of(Ballot.round(higher) + 1, 2), 0));
        assertEquals(List.of(), forwards(node), "chosen: not forwarded again");
    }
}
