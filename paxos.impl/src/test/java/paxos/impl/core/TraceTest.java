package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Interaction script with a golden trace: three cores wired through one FIFO queue (persist is
 * immediate, nothing is lost). The trace is the protocol as a reader of the paper expects it:
 * one pre-vote round, one phase 1, then phase 2 only, forwarding from a follower, commits without values to those
 * that accepted.
 */
class TraceTest {
    private final GroupCore[] cores = {null, Fixture.core(1), Fixture.core(2), Fixture.core(3)};
    private final ArrayDeque<Message> wire = new ArrayDeque<>();
    private final List<String> trace = new ArrayList<>();
    private final List<List<String>> applied = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

    private void pump() {
        do {
            for (int n = 1; n <= 3; n++) {
                while (cores[n].hasReady()) {
                    Ready r = cores[n].ready();
                    wire.addAll(r.messages());
                    for (ChosenValue v : r.toApply()) {
                        for (BatchCommand c : BatchCodec.decode(v.value(), 100))
                            applied.get(n).add(v.instance() + ":" + new String(c.value()));
                    }
                    cores[n].advance(r);
                }
            }
            Message m = wire.pollFirst();
            if (m == null) return;
            trace.add(describe(m));
            cores[m.to()].step(m);
        } while (true);
    }

    private static String describe(Message m) {
        String what = m.getClass().getSimpleName();
        if (m instanceof Message.Prepare p) what += " b=" + Ballot.toString(p.ballot()) + " from=" + p.fromInstance();
        if (m instanceof Message.Promise p) what += " b=" + Ballot.toString(p.ballot()) + " entries=" + p.entries().size();
        if (m instanceof Message.Accept a) what += " i=" + a.instance();
        if (m instanceof Message.Accepted a) what += " i=" + a.instance();
        if (m instanceof Message.Commit c) what += " i=" + c.instance() + (c.value() == null ? "" : " +value");
        if (m instanceof Message.Forward f) what += " units=" + f.units().size();
        if (m instanceof Message.PreVoteReply r) what += r.granted() ? " granted" : " refused";
        return m.from() + "->" + m.to() + " " + what;
    }

    @Test
    void electionThenForwardedProposalFollowsTheGoldenTrace() {
        for (int i = 0; i < 100 && !cores[1].hasReady(); i++) cores[1].tick(); // its election timer fires
        pump();
        cores[3].propose(List.of(Fixture.command(3, 1, "x")));
        pump();
        cores[1].propose(List.of(Fixture.command(1, 1, "y")));
        pump();
        String golden = String.join("\n",
                "1->2 PreVote",
                "1->3 PreVote",
                "2->1 PreVoteReply granted",
                "3->1 PreVoteReply granted",
                "1->2 Prepare b=1.1 from=0",
                "1->3 Prepare b=1.1 from=0",
                "2->1 Promise b=1.1 entries=0",
                "3->1 Promise b=1.1 entries=0",
                "1->2 Heartbeat",
                "1->3 Heartbeat",
                "3->1 Forward units=1",
                "1->1 Accepted i=0", // its own vote: handed back by the caller once the accept is durable
                "1->2 Accept i=0",
                "1->3 Accept i=0",
                "2->1 Accepted i=0",
                "3->1 Accepted i=0",
                "1->2 Commit i=0",
                "1->3 Commit i=0",
                "1->1 Accepted i=1",
                "1->2 Accept i=1",
                "1->3 Accept i=1",
                "2->1 Accepted i=1",
                "3->1 Accepted i=1",
                "1->2 Commit i=1",
                "1->3 Commit i=1");
        assertEquals(golden, String.join("\n", trace));
        for (int n = 1; n <= 3; n++) assertEquals(List.of("0:x", "1:y"), applied.get(n), "node " + n);
    }
}
