package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Read-index on the leader ({@link GroupCore#read}): released only after a quorum answered a
 * confirmation round started after the read, with the index taken at registration; released
 * unconfirmed when leadership is lost; refused (the caller uses a barrier) on a non-leader.
 */
class ReadIndexTest {
    private static List<Message.ReadProbe> probes(GroupCore core) {
        return only(drain(core).messages(), Message.ReadProbe.class);
    }

    static GroupCore leaderWithOneChosen() {
        GroupCore core = Fixture.core(1);
        Fixture.elect(core);
        core.propose(List.of(Fixture.command(1, 1, "a")));
        Message.Accept a = only(drain(core).messages(), Message.Accept.class).get(0);
        core.step(new Message.Accepted(GROUP, 2, 1, a.ballot(), a.instance()));
        drain(core);
        assertEquals(0, core.chosenUpTo());
        return core;
    }

    @Test
    void aNonLeaderRefusesSoTheCallerUsesABarrier() {
        GroupCore core = Fixture.core(2);
        assertFalse(core.read(7));
        assertTrue(core.drainReads().isEmpty());
    }

    @Test
    void released_onlyAfterAQuorumAnsweredARoundStartedAfterTheRead() {
        GroupCore core = leaderWithOneChosen();
        assertTrue(core.read(1));
        List<Message.ReadProbe> first = probes(core);
        assertEquals(2, first.size(), "to both other voters");
        assertTrue(core.drainReads().isEmpty(), "not before a quorum answered");
        assertTrue(core.read(2)); // registered while round 1 is out: needs a later round
        Message.ReadProbe p = first.get(0);
        core.step(new Message.ReadProbeAck(GROUP, p.to(), 1, p.ballot(), p.round()));
        assertEquals(List.of(new GroupCore.ReadDone(1, 0)), core.drainReads());
        List<Message.ReadProbe> second = probes(core);
        assertEquals(p.round() + 1, second.get(0).round(), "a new round for the read that came later");
        core.step(new Message.ReadProbeAck(GROUP, 3, 1, p.ballot(), p.round())); // a late answer to the old round
        assertTrue(core.drainReads().isEmpty());
        core.step(new Message.ReadProbeAck(GROUP, 3, 1, p.ballot(), second.get(0).round()));
        assertEquals(List.of(new GroupCore.ReadDone(2, 0)), core.drainReads());
    }

    /** A value phase 1 found accepted may have been chosen (and acknowledged) under the old leader. */
    @Test
    void theIndexCoversWhatPhaseOneFoundEvenBeforeItIsKnownChosen() {
        GroupCore core = Fixture.core(1);
        Message.Prepare p = only(Fixture.tickUntilCandidate(core).messages(), Message.Prepare.class).get(0);
        byte[] old = BatchCodec.encode(List.of(Fixture.command(2, 1, "old")));
        core.step(new Message.Promise(GROUP, 2, 1, p.ballot(), p.fromInstance(), -1,
                List.of(new Message.Entry(3, p.ballot() - 1, old, false)), false));
        drain(core);
        assertEquals(GroupCore.Role.LEADER, core.role());
        assertEquals(-1, core.chosenUpTo(), "instances 0..3 are proposed again, none known chosen yet");
        assertTrue(core.read(1));
        Message.ReadProbe probe = probes(core).get(0);
        core.step(new Message.ReadProbeAck(GROUP, probe.to(), 1, probe.ballot(), probe.round()));
        assertEquals(List.of(new GroupCore.ReadDone(1, 3)), core.drainReads());
    }

    @Test
    void aHigherPromiseReleasesTheReadUnconfirmed() {
        GroupCore core = leaderWithOneChosen();
        assertTrue(core.read(1));
        Message.ReadProbe p = probes(core).get(0);
        core.step(new Message.Reject(GROUP, p.to(), 1, p.ballot(), p.ballot() + 100));
        assertEquals(GroupCore.Role.FOLLOWER, core.role());
        assertEquals(List.of(new GroupCore.ReadDone(1, GroupCore.ReadDone.UNCONFIRMED)), core.drainReads());
    }

    @Test
    void anUnansweredReadIsReleasedUnconfirmedAfterItsExpiry() {
        GroupCore core = leaderWithOneChosen();
        assertTrue(core.read(1));
        for (int i = 0; i < 4 * core.config().electionTimeoutTicks() && core.role() == GroupCore.Role.LEADER; i++) {
            core.tick();
            drain(core);
        }
        assertEquals(List.of(new GroupCore.ReadDone(1, GroupCore.ReadDone.UNCONFIRMED)), core.drainReads());
    }

    @Test
    void anAcceptorAnswersUnlessItPromisedAHigherBallot() {
        GroupCore follower = Fixture.core(2);
        follower.step(new Message.Prepare(GROUP, 3, 2, 50, 0));
        drain(follower);
        follower.step(new Message.ReadProbe(GROUP, 1, 2, 40, 9));
        Message.Reject r = only(drain(follower).messages(), Message.Reject.class).get(0);
        assertEquals(50, r.promised());
        follower.step(new Message.ReadProbe(GROUP, 1, 2, 60, 9));
        assertEquals(List.of(new Message.ReadProbeAck(GROUP, 2, 1, 60, 9)),
                only(drain(follower).messages(), Message.ReadProbeAck.class));
    }
}
