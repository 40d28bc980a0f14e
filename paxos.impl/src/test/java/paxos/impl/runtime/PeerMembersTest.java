package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.impl.log.InMemoryLogStore;
import paxos.testkit.LocalNetwork;

/**
 * The transport's peers follow the memberships of the logs ({@link Transport#updateMembers}): at
 * start, and when a change comes into force; an added node's incarnation is the one it proved to
 * the transport; a joining node votes in nothing until it is added.
 */
class PeerMembersTest {
    private static final String INCARNATION_4 = "0123456789abcdef0123456789abcdef";
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3, 4));
    private final Engine[] engines = new Engine[5];
    private final Recording[] transports = new Recording[5];

    /** A transport of the local network that records what the engine tells it and knows node 4's incarnation. */
    private static final class Recording implements Transport {
        final Transport inner;
        final List<Set<Integer>> updates = new CopyOnWriteArrayList<>();
        final List<Collection<Member>> members = new CopyOnWriteArrayList<>();

        Recording(Transport inner) {
            this.inner = inner;
        }

        @Override public void start(MessageHandler handler) { inner.start(handler); }
        @Override public boolean send(int toNode, int group, byte[] message) { return inner.send(toNode, group, message); }
        @Override public int maxMessageBytes() { return inner.maxMessageBytes(); }
        @Override public List<PeerStatus> peers() { return inner.peers(); }
        @Override public void close() { inner.close(); }
        @Override public String presentedIncarnation(int nodeId) { return nodeId == 4 ? INCARNATION_4 : null; }

        @Override
        public void updateMembers(Collection<Member> next) {
            Set<Integer> ids = new TreeSet<>();
            next.forEach(m -> ids.add(m.nodeId()));
            updates.add(ids);
            members.add(List.copyOf(next));
        }

        Set<Integer> last() {
            return updates.get(updates.size() - 1);
        }
    }

    private Engine start(int node, boolean joining) {
        List<Member> members = new java.util.ArrayList<>();
        for (int n = 1; n <= (joining ? 4 : 3); n++) members.add(new Member(n, "127.0.0.1", 7000 + n, MemberRole.VOTER));
        EngineConfig config = new EngineConfig.Builder(node, members).dataDir(Path.of("unused")).tickMillis(5)
                .joining(joining).build();
        transports[node] = new Recording(network.transport(node));
        Engine e = new Engine(config, new InMemoryLogStore(), transports[node]);
        e.start();
        engines[node] = e;
        return e;
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    @Test
    void peersFollowTheMembershipAndAnAddedNodeCarriesTheIncarnationItProved() {
        for (int n = 1; n <= 3; n++) start(n, false);
        assertEquals(Set.of(1, 2, 3), transports[1].last(), "at start: the membership the log holds");
        Engine joining = start(4, true);
        assertEquals(Set.of(1, 2, 3), transports[4].last(), "a joining node's peers are the others it was told of");
        assertFalse(joining.membership(0).contains(4), "a joining node is no member of its own bootstrap");

        // replace 3 by 4; the operator gave only host:port, the incarnation comes from the transport
        Membership m = engines[1].changeMembership(0, new MembershipChange.Replace(3,
                new Member(4, "127.0.0.1", 7004, MemberRole.VOTER))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        Member four = m.members().stream().filter(x -> x.nodeId() == 4).findFirst().orElseThrow();
        assertEquals(INCARNATION_4, four.incarnation());
        assertEquals(Set.of(1, 2, 4), transports[1].last(), "node 3 dropped, node 4 a peer, once the change is in force");
        assertTrue(transports[1].members.stream().anyMatch(c -> c.contains(four)), "handed over with its incarnation");
        // node 4 learns the change from the log and follows it too
        await().atMost(Duration.ofSeconds(30)).until(() -> engines[4].membership(0).contains(4)
                && transports[4].last().equals(Set.of(1, 2, 4)));
    }
}
