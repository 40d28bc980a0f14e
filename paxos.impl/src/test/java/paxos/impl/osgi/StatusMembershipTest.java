package paxos.impl.osgi;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.MembershipChange;
import paxos.impl.log.InMemoryLogStore;
import paxos.impl.runtime.Engine;
import paxos.impl.runtime.EngineConfig;
import paxos.testkit.LocalNetwork;

/**
 * {@code GET /paxos/status} and the console show the membership in force (members with roles,
 * the instance of the change), and a configured member list that the log overrides is reported
 * there (field {@code configuredMembersIgnored}), not obeyed: three engines over an in-process
 * network, a follower added through the log, then node 3 restarted with its old list.
 */
class StatusMembershipTest {
    private static final String BOOTSTRAP = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private final LocalNetwork network = new LocalNetwork(List.of(1, 2, 3, 4));
    private final InMemoryLogStore[] stores = new InMemoryLogStore[4];
    private final Engine[] engines = new Engine[4];
    @TempDir Path dir;

    private Engine start(int node) {
        if (stores[node] == null) stores[node] = new InMemoryLogStore();
        EngineConfig config = EngineConfig.builder(node, BOOTSTRAP).dataDir(dir.resolve("n" + node)).tickMillis(5).build();
        engines[node] = new Engine(config, stores[node], network.transport(node));
        engines[node].register(0, 1, "counting", (batch, results) -> batch.commands().forEach(c -> results.complete(c.index(), 1)));
        engines[node].start();
        return engines[node];
    }

    @AfterEach
    void stop() throws Exception {
        for (Engine e : engines) if (e != null) e.close();
        network.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusAndConsoleShowTheMembershipInForceAndReportADisagreeingConfiguredList() throws Exception {
        for (int n = 1; n <= 3; n++) start(n);
        NodeView before = new NodeView(engines[1], stores[1], List::of, null);
        Map<String, Object> group0 = ((List<Map<String, Object>>) before.model().get("membership")).get(0);
        assertEquals(0L, group0.get("configVersion"), "bootstrap membership");
        assertNull(before.model().get("configuredMembersIgnored"));

        // a write first: a change at instance 0 would have version 0, like the bootstrap membership
        engines[1].propose(0, 1, new byte[] {1}).toCompletableFuture().get(30, TimeUnit.SECONDS);
        var added = engines[1].changeMembership(0, new MembershipChange.Add(new Member(4, "127.0.0.1", 7004, MemberRole.FOLLOWER)))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(added.configVersion() > 0);
        group0 = ((List<Map<String, Object>>) before.model().get("membership")).get(0);
        assertEquals(added.configVersion(), group0.get("configVersion"), "the instance of the change in force");
        List<Map<String, Object>> members = (List<Map<String, Object>>) group0.get("members");
        assertEquals(List.of("1:voter", "2:voter", "3:voter", "4:follower"),
                members.stream().map(m -> m.get("nodeId") + ":" + m.get("role")).toList());
        String html = ConsoleHtml.render(before.model(), null);
        assertTrue(html.contains("<td class='configVersion'>" + added.configVersion() + "</td>"), html);
        assertTrue(html.contains("4@127.0.0.1:7004 follower"), html);
        assertTrue(!html.contains("paxos-members-ignored"), "no warning while the list agrees or was never overridden");
        before.close();

        // node 3 restarts with its node file unchanged (1, 2, 3): the log's {1, 2, 3, 4 follower} is in force
        await().atMost(Duration.ofSeconds(20)).until(() -> engines[3].membership(0).equals(added));
        engines[3].close();
        stores[3] = stores[3].reopen();
        Engine restarted = start(3);
        assertEquals(added, restarted.membership(0), "the log wins over the configured members");
        String ignored = restarted.configuredMembersIgnored();
        assertTrue(ignored != null && ignored.contains("4@127.0.0.1:7004:FOLLOWER") && ignored.contains("not obeyed"),
                String.valueOf(ignored));
        NodeView after = new NodeView(restarted, stores[3], List::of, null);
        assertEquals(ignored, after.model().get("configuredMembersIgnored"));
        assertTrue(ConsoleHtml.render(after.model(), null).contains("<p id='paxos-members-ignored' class='statline'>Warning: "
                + ConsoleHtml.esc(ignored)), "the console shows it");
        after.close();
        assertNull(engines[1].configuredMembersIgnored(), "node 1 never restarted");
    }
}
