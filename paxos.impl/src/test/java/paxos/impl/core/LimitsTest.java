package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.command;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.NotMemberException;
import paxos.api.OverloadedException;
import paxos.api.ValueTooLargeException;

/** Limits and configuration validation. */
class LimitsTest {
    @Test
    void valueAboveTheLimitIsRefusedAsTooLarge() {
        ProposeResult r = Fixture.core(1).propose(List.of(new BatchCommand(1, -1, 1, 1, new byte[2000])));
        assertInstanceOf(ValueTooLargeException.class, ((ProposeResult.Refused) r).toException());
    }

    @Test
    void fullQueueIsRefusedAsOverloaded() {
        GroupCore core = Fixture.core(Fixture.config(1).withBounds(2, 1 << 20, 16, 1 << 20, 16), CoreState.EMPTY);
        core.propose(List.of(command(1, 1, "a")));
        core.propose(List.of(command(1, 2, "b")));
        ProposeResult r = core.propose(List.of(command(1, 3, "c")));
        assertInstanceOf(OverloadedException.class, ((ProposeResult.Refused) r).toException());
    }

    @Test
    void nonVoterIsRefusedAsNotMember() {
        Membership m = new Membership(0, List.of(new Member(1, "127.0.0.1", 7001, MemberRole.VOTER),
                new Member(2, "127.0.0.1", 7002, MemberRole.FOLLOWER)));
        GroupCore follower = Fixture.core(CoreConfig.defaults(0, 2, m), CoreState.EMPTY);
        ProposeResult r = follower.propose(List.of(command(2, 1, "a")));
        assertInstanceOf(NotMemberException.class, ((ProposeResult.Refused) r).toException());
    }

    @Test
    void electionTimeoutMustExceedHeartbeatInterval() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CoreConfig.defaults(0, 1, Fixture.members(3)).withTimeouts(10, 10, 5));
        assertTrue(e.getMessage().contains("must exceed heartbeat interval"), e.getMessage());
    }

    @Test
    void selfMustBeAMember() {
        assertThrows(IllegalArgumentException.class, () -> CoreConfig.defaults(0, 9, Fixture.members(3)));
    }

    @Test
    void batchCodecRoundTripsAndRejectsTruncatedInput() {
        List<BatchCommand> cmds = List.of(new BatchCommand(0, 4, 2, 99, "x".getBytes()), command(3, 1, ""));
        byte[] bytes = BatchCodec.encode(cmds);
        List<BatchCommand> back = BatchCodec.decode(bytes, 10);
        assertEquals(2, back.size());
        assertEquals(4, back.get(0).masterVersion());
        assertEquals(99, back.get(0).requestId());
        assertThrows(IllegalArgumentException.class, () -> BatchCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1), 10));
        assertThrows(IllegalArgumentException.class, () -> BatchCodec.decode(bytes, 1));
    }
}
