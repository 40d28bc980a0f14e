package paxos.impl.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/** Small helpers shared by the core tests: a 3-voter group and message filters. */
final class Fixture {
    static final int GROUP = 0;

    private Fixture() {}

    static Membership members(int voters) {
        List<Member> list = new ArrayList<>();
        for (int n = 1; n <= voters; n++) list.add(new Member(n, "127.0.0.1", 7000 + n, MemberRole.VOTER));
        return new Membership(0, list);
    }

    static CoreConfig config(int self) {
        return CoreConfig.defaults(GROUP, self, members(3)).withTimeouts(2, 10, 3).withBatching(4, 16, 4096, 0, 1024);
    }

    static GroupCore core(int self) {
        return new GroupCore(config(self), CoreState.EMPTY, new SplittableRandom(self));
    }

    static GroupCore core(CoreConfig cfg, CoreState state) {
        return new GroupCore(cfg, state, new SplittableRandom(cfg.selfNodeId()));
    }

    /**
     * Ticks until the core has sent prepares (its election timeout is below 2x the configured
     * one): when it asks for pre-votes, another voter grants.
     */
    static Ready tickUntilCandidate(GroupCore core) {
        for (int i = 0; i < 100 && core.role() == GroupCore.Role.FOLLOWER; i++) {
            core.tick();
            if (!core.hasReady()) continue;
            for (Message.PreVote v : only(drain(core).messages(), Message.PreVote.class)) {
                if (v.to() != core.config().selfNodeId())
                    core.step(new Message.PreVoteReply(GROUP, v.to(), v.from(), v.ballot(), true));
            }
        }
        return drain(core);
    }

    /** Makes node {@code core} leader with an empty promise from node 2. */
    static Ready elect(GroupCore core) {
        Ready r = tickUntilCandidate(core);
        Message.Prepare p = only(r.messages(), Message.Prepare.class).get(0);
        core.step(new Message.Promise(GROUP, 2, core.config().selfNodeId(), p.ballot(), p.fromInstance(), -1, List.of(), false));
        return drain(core);
    }

    /**
     * Takes and advances one Ready as a runtime would once its records are durable: this node's
     * own vote (an Accepted addressed to itself) is stepped back in; its effects go to the next Ready.
     */
    static Ready drain(GroupCore core) {
        Ready r = core.ready();
        core.advance(r);
        int self = core.config().selfNodeId();
        for (Message m : r.messages()) if (m.to() == self) core.step(m);
        return r;
    }

    static <T extends Message> List<T> only(List<Message> messages, Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static BatchCommand command(int node, long requestId, String value) {
        return new BatchCommand(1, -1, node, requestId, value.getBytes());
    }
}
