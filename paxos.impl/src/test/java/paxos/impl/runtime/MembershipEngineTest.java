package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.Proposed;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/**
 * Membership changes through the log, end to end over engines, an in-process network and in-memory
 * logs: grow 3 to 5 and shrink back under load, a follower that learns and is promoted, a change
 * that survives a restart. Every acknowledged write is on every remaining member, in one order.
 */
class MembershipEngineTest {
    private static final int GROUPS = 2;
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3, 4, 5, 6));
    private final InMemoryLogStore[] stores = new InMemoryLogStore[7];
    private final Engine[] engines = new Engine[7];
    private final RecordingStateMachine[] machines = new RecordingStateMachine[7];

    private static Member member(int n, MemberRole role) {
        return new Member(n, "127.0.0.1", 7000 + n, role);
    }

    /** Nodes 1..3 are the bootstrap voters; a higher node starts to join (itself a follower, known to nobody). */
    private Engine start(int node) {
        List<Member> members = new ArrayList<>(List.of(member(1, MemberRole.VOTER), member(2, MemberRole.VOTER),
                member(3, MemberRole.VOTER)));
        if (node > 3) members.add(member(node, MemberRole.FOLLOWER));
        EngineConfig config = new EngineConfig.Builder(node, members).dataDir(Path.of("unused")).groupCount(GROUPS)
                .tickMillis(5).build();
        if (stores[node] == null) stores[node] = new InMemoryLogStore();
        machines[node] = new RecordingStateMachine();
        Engine e = new Engine(config, stores[node], network.transport(node));
        for (int g = 0; g < GROUPS; g++) e.register(g, 1, "recording", machines[node]);
        e.start();
        engines[node] = e;
        return e;
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    private static <T> T join(CompletionStage<T> s) {
        return s.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Applies {@code change} to every group through {@code via}; returns group 0's new membership. */
    private Membership change(int via, MembershipChange change) {
        Membership m = null;
        for (int g = 0; g < GROUPS; g++) {
            Membership got = join(engines[via].changeMembership(g, change));
            if (g == 0) m = got;
        }
        return m;
    }

    /** Writes to group 0 from a background thread through whichever listed node answers; acknowledged ones are kept. */
    private final class Load implements AutoCloseable {
        final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        volatile int[] via;
        final Thread thread;

        Load(int... via) {
            this.via = via;
            thread = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    int[] nodes = this.via;
                    String v = "w" + i;
                    try {
                        join(engines[nodes[i % nodes.length]].propose(0, 1, v.getBytes()));
                        acked.add(v);
                    } catch (RuntimeException e) {
                        // refused or timed out during a change: not acknowledged, not checked
                    }
                }
            }, "membership-load");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(60_000);
        }
    }

    private void assertSameEverywhere(int... nodes) {
        Proposed last = join(engines[nodes[0]].propose(0, 1, "last".getBytes()));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int n : nodes) if (engines[n].status(0).executedInstance() < last.instance()) return false;
            return true;
        });
        for (int n : nodes) assertEquals(machines[nodes[0]].snapshot(), machines[n].snapshot(), "node " + n);
    }

    @Test
    void growThreeToFiveAndShrinkBackUnderLoad() throws Exception {
        for (int n = 1; n <= 5; n++) start(n);
        Load load = new Load(1, 2, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.acked.size() > 20);
        Membership four = change(1, new MembershipChange.Add(member(4, MemberRole.VOTER)));
        assertEquals(4, four.voters());
        assertTrue(four.configVersion() > 0);
        Membership five = change(2, new MembershipChange.Add(member(5, MemberRole.VOTER)));
        assertEquals(5, five.voters());
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[5].membership(0).voters() == 5);
        int before = load.acked.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.acked.size() > before + 20);
        load.via = new int[] {4, 5};
        // shrink: the bootstrap nodes 1 and 2 leave, whoever leads
        Membership minus1 = change(3, new MembershipChange.Remove(1));
        assertEquals(4, minus1.voters());
        Membership minus2 = change(3, new MembershipChange.Remove(2));
        assertEquals(List.of(3, 4, 5), minus2.members().stream().map(Member::nodeId).toList());
        int mid = load.acked.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> load.acked.size() > mid + 20);
        load.close();
        assertSameEverywhere(3, 4, 5);
        List<String> executed = machines[4].snapshot().stream().map(s -> s.substring(s.lastIndexOf(':') + 1)).toList();
        for (String v : load.acked) assertTrue(executed.contains(v), "acknowledged " + v + " executed");
        for (int n = 3; n <= 5; n++) assertEquals(minus2, engines[n].membership(0), "node " + n);
    }

    @Test
    void aFollowerLearnsAndIsPromotedAndTheMembershipSurvivesARestart() throws Exception {
        for (int n = 1; n <= 3; n++) start(n);
        start(6);
        for (int i = 0; i < 30; i++) join(engines[1 + i % 3].propose(0, 1, ("a" + i).getBytes()));
        Membership withFollower = change(1, new MembershipChange.Add(member(6, MemberRole.FOLLOWER)));
        assertEquals(3, withFollower.voters());
        assertEquals(4, withFollower.members().size());
        await().atMost(Duration.ofSeconds(20)).until(() -> machines[6].size() >= 30);
        // a follower refuses proposals (it does not vote) but executes: its STALE view grows
        Throwable refused = assertThrows(CompletionException.class, () -> join(engines[6].propose(0, 1, "x".getBytes())));
        assertInstanceOf(paxos.api.NotMemberException.class, refused.getCause());
        // one change at a time is enforced at once; a change that does not apply is refused
        assertThrows(CompletionException.class, () -> join(engines[1].changeMembership(0, new MembershipChange.Remove(9))));
        Membership promoted = change(2, new MembershipChange.ChangeRole(6, MemberRole.VOTER));
        assertEquals(4, promoted.voters());
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[6].membership(0).voters() == 4);
        join(engines[6].propose(0, 1, "from6".getBytes()));
        // the log's membership wins over the configured one after a restart
        engines[3].close();
        stores[3] = stores[3].reopen();
        start(3);
        assertEquals(promoted, engines[3].membership(0));
        for (int i = 0; i < 10; i++) join(engines[3].propose(0, 1, ("b" + i).getBytes()));
        assertSameEverywhere(1, 2, 3, 6);
    }

    @Test
    void changesThatDoNotApplyAreRefused() {
        for (int n = 1; n <= 3; n++) start(n);
        join(engines[1].propose(0, 1, "a".getBytes()));
        // from 1 voter of 1, replacing it: the new voter alone has not caught up, so no quorum of the result
        assertThrows(IllegalArgumentException.class, () -> MembershipChanges.apply(
                new Membership(0, List.of(member(1, MemberRole.VOTER))), new MembershipChange.Replace(1, member(2, MemberRole.VOTER))));
        assertThrows(CompletionException.class,
                () -> join(engines[1].changeMembership(0, new MembershipChange.Add(member(2, MemberRole.VOTER)))));
        assertThrows(CompletionException.class,
                () -> join(engines[1].changeMembership(0, new MembershipChange.ChangeRole(2, MemberRole.VOTER))));
    }

    /** {@code count} puts per group through {@code via}, all at once; the acknowledgements, in proposal order. */
    private List<Proposed> proposeAll(int via, String prefix, int count) {
        List<java.util.concurrent.CompletableFuture<Proposed>> fs = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            for (int i = 0; i < count; i++) {
                byte[] value = (prefix + g + "-" + i).getBytes();
                fs.add(engines[via].propose(new paxos.api.Proposal(g, 1, value, paxos.api.Proposal.NO_MASTER_CONDITION, 5_000))
                        .toCompletableFuture());
            }
        }
        List<Proposed> out = new ArrayList<>();
        for (var f : fs) out.add(f.orTimeout(30, TimeUnit.SECONDS).join());
        return out;
    }

    /**
     * A node back under its old node ID on a new (empty) store: its boot counter starts at 1 again,
     * so before {@link RequestIds} its request IDs were the ones its former incarnation had executed;
     * a node replaying the log completed its new callers with its former incarnation's results. Node
     * 3 proposes, loses its store, comes back (the {@code --bootstrap} override: same membership) and
     * proposes at once: every new proposal executes exactly once on every node, at the position it
     * was acknowledged at, with this execution's result.
     */
    @Test
    void aNodeOnANewStoreUnderItsOldIdProposesExactlyOnce() {
        int count = 40;
        for (int n = 1; n <= 3; n++) start(n);
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[1].quorumReachable(0) && engines[3].quorumReachable(1));
        proposeAll(3, "old", count);
        engines[3].close();
        engines[3] = null;
        stores[3] = null; // the disk is lost
        start(3);
        List<Proposed> acked = proposeAll(3, "new", count); // at once: held until node 3 executed its ID's history
        for (int g = 0; g < GROUPS; g++) {
            long last = acked.get((g + 1) * count - 1).instance();
            int group = g;
            await().atMost(Duration.ofSeconds(20)).until(() -> engines[1].status(group).executedInstance() >= last
                    && engines[3].status(group).executedInstance() >= last);
            for (int i = 0; i < count; i++) {
                Proposed p = acked.get(g * count + i);
                String value = ":new" + g + "-" + i;
                String entry = p.instance() + ":" + p.index() + value;
                for (int n : new int[] {1, 3}) {
                    List<String> executed = machines[n].snapshot();
                    assertEquals(1, executed.stream().filter(e -> e.endsWith(value)).count(), "node " + n + ": " + value);
                    assertTrue(executed.contains(entry), "node " + n + " executed " + entry);
                }
                // the recording machine answers with its running count: node 3's own execution of this command
                assertEquals(machines[3].snapshot().indexOf(entry) + 1, p.result(), "the result of " + entry);
            }
        }
    }
}
