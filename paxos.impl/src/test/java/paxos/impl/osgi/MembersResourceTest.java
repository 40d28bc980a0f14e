package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import paxos.api.ConflictException;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterInfo;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.PaxosNode;
import paxos.api.ProposalTimeoutException;

/**
 * The membership endpoint and the Gogo commands against a fake node of 2 groups with members 1, 2, 3:
 * one operator action becomes one change per group, chosen from that group's membership, and each
 * failure maps to its status.
 */
class MembersResourceTest {
    private final List<String> proposed = new ArrayList<>();
    private final Map<Integer, Membership> memberships = new HashMap<>();
    private GroupState state = GroupState.RUNNING;
    /** Decides each change's outcome; by default applies it like the engine would. */
    private BiFunction<Integer, MembershipChange, CompletableFuture<Membership>> answer = this::applied;

    MembersResourceTest() {
        for (int g = 0; g < 2; g++) memberships.put(g, new Membership(0, List.of(member(1, MemberRole.VOTER),
                member(2, MemberRole.VOTER), member(3, MemberRole.VOTER))));
    }

    private static Member member(int id, MemberRole role) {
        return new Member(id, "127.0.0.1", 7000 + id, role, id == 1 ? "ab12" : null);
    }

    private PaxosNode node() {
        return (PaxosNode) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PaxosNode.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "nodeId" -> 1;
                    case "groupCount" -> 2;
                    case "membership" -> memberships.get((Integer) args[0]);
                    case "status" -> new GroupStatus((Integer) args[0], state, 10, 10, 0, 0, 0, MasterInfo.NONE, List.of(),
                            null, 1, 0, 0, List.of(), Map.of(), Map.of());
                    case "changeMembership" -> {
                        proposed.add(args[0] + ":" + args[1]);
                        yield answer.apply((Integer) args[0], (MembershipChange) args[1]);
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private CompletableFuture<Membership> applied(int group, MembershipChange c) {
        List<Member> now = new ArrayList<>(memberships.get(group).members());
        if (c instanceof MembershipChange.Add a) now.add(a.member());
        else if (c instanceof MembershipChange.Remove r) now.removeIf(m -> m.nodeId() == r.nodeId());
        else if (c instanceof MembershipChange.ChangeRole r)
            now.replaceAll(m -> m.nodeId() == r.nodeId() ? m.withRole(r.role()) : m);
        else if (c instanceof MembershipChange.Replace r) {
            now.removeIf(m -> m.nodeId() == r.oldNodeId());
            now.add(r.member());
        }
        now.sort(java.util.Comparator.comparingInt(Member::nodeId));
        Membership m = new Membership(40 + group, now);
        memberships.put(group, m);
        return CompletableFuture.completedFuture(m);
    }

    private MembersResource resource() {
        return new MembersResource(node(), 5_000);
    }

    private static String body(CommandResource.Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    @Test
    void getListsEveryGroupsMembershipWithRolesIncarnationsAndTheInstanceInForce() {
        CommandResource.Answer a = resource().get();
        assertEquals(200, a.status());
        assertEquals("application/json", a.contentType());
        String b = body(a);
        assertTrue(b.startsWith("{\"node\":1,\"groups\":[{\"group\":0,\"configVersion\":0,\"members\":[{\"nodeId\":1,"
                + "\"host\":\"127.0.0.1\",\"port\":7001,\"role\":\"voter\",\"incarnation\":\"ab12\"}"), b);
        assertTrue(b.contains("{\"nodeId\":3,\"host\":\"127.0.0.1\",\"port\":7003,\"role\":\"voter\",\"incarnation\":null}"), b);
        assertTrue(b.contains("{\"group\":1,"), b);
    }

    @Test
    void putAddsTheNodeToEveryGroupAsAVoterOrAFollower() {
        CommandResource.Answer a = resource().put("/4", null, null, " 127.0.0.1:7004\n");
        assertEquals(200, a.status(), body(a));
        assertEquals(List.of("0:Add[member=Member[nodeId=4, host=127.0.0.1, port=7004, role=VOTER, incarnation=null]]",
                "1:Add[member=Member[nodeId=4, host=127.0.0.1, port=7004, role=VOTER, incarnation=null]]"), proposed);
        assertTrue(body(a).contains("\"ok\":true") && body(a).contains("\"configVersion\":41"), body(a));
        proposed.clear();
        assertEquals(200, resource().put("/5", "FOLLOWER", null, "[::1]:7005").status());
        assertEquals("0:Add[member=Member[nodeId=5, host=::1, port=7005, role=FOLLOWER, incarnation=null]]", proposed.get(0));
    }

    @Test
    void roleAloneOnAMemberPromotesOrDemotesAndARepeatedActionChangesNothing() {
        assertEquals(200, resource().put("/3", "follower", null, "").status());
        assertEquals(List.of("0:ChangeRole[nodeId=3, role=FOLLOWER]", "1:ChangeRole[nodeId=3, role=FOLLOWER]"), proposed);
        proposed.clear();
        CommandResource.Answer again = resource().put("/3", "follower", null, "127.0.0.1:7003");
        assertEquals(200, again.status());
        assertEquals(List.of(), proposed, "already in force everywhere: nothing proposed");
        assertTrue(body(again).contains("\"unchanged\":true"), body(again));
    }

    @Test
    void replaceGivesTheNewNodeTheOldOnesRoleAndFinishesAPartlyDoneReplace() {
        applied(0, new MembershipChange.Replace(3, member(4, MemberRole.VOTER))); // group 0 done by an earlier try
        CommandResource.Answer a = resource().put("/4", null, "3", "127.0.0.1:7004");
        assertEquals(200, a.status(), body(a));
        assertEquals(List.of("1:Replace[oldNodeId=3, member=Member[nodeId=4, host=127.0.0.1, port=7004, role=VOTER, "
                + "incarnation=null]]"), proposed);
        assertTrue(body(a).startsWith("{\"action\":\"replace node 3 by node 4 at 127.0.0.1:7004\",\"ok\":true"), body(a));
    }

    @Test
    void deleteRemovesAndAnUnknownNodeIs404() {
        assertEquals(200, resource().delete("/2").status());
        assertEquals(List.of("0:Remove[nodeId=2]", "1:Remove[nodeId=2]"), proposed);
        assertEquals(404, resource().delete("/9").status());
        assertEquals(404, resource().put("/4", null, "9", "127.0.0.1:7004").status(), "replacing an unknown node");
        assertEquals(404, resource().put("/4", null, "4", "127.0.0.1:7004").status(), "replacing an unknown node by itself");
    }

    @Test
    void aNodeReplacedByItselfIsProposedForTheEngineToNameItsNewIncarnation() {
        CommandResource.Answer a = resource().put("/3", null, "3", "127.0.0.1:7003");
        assertEquals(200, a.status(), body(a));
        assertEquals(List.of("0:Replace[oldNodeId=3, member=Member[nodeId=3, host=127.0.0.1, port=7003, role=VOTER, "
                + "incarnation=null]]", "1:Replace[oldNodeId=3, member=Member[nodeId=3, host=127.0.0.1, port=7003, role=VOTER, "
                + "incarnation=null]]"), proposed);
        assertTrue(body(a).startsWith("{\"action\":\"replace node 3 by a new incarnation of it at 127.0.0.1:7003\",\"ok\":true"), body(a));
    }

    @Test
    void badInputIs400AndProposesNothing() {
        for (String address : List.of("127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":7004", "host:port", "a b:1"))
            assertEquals(400, resource().put("/4", null, null, address).status(), address);
        assertEquals(400, resource().put("/4", "boss", null, "127.0.0.1:7004").status());
        assertEquals(400, resource().put("/x", null, null, "127.0.0.1:7004").status());
        assertEquals(400, resource().put("/0", null, null, "127.0.0.1:7004").status());
        assertEquals(400, resource().put("/4", null, null, "").status(), "neither address nor role");
        assertEquals(400, resource().put("/4", "follower", "3", "127.0.0.1:7004").status(), "replace takes the old role");
        assertEquals(400, resource().put("/3", null, null, "127.0.0.2:7003").status(), "a member moved to another address");
        assertEquals(400, resource().delete("").status());
        assertEquals(List.of(), proposed);
        CommandResource.Answer refused = resource().put("/7", "follower", null, "");
        assertTrue(body(refused).contains("not a member"), body(refused));
    }

    @Test
    void aChangeInProgressIs409TimeoutsAre504AndAnUnavailableGroupIs503WithRetryAfter() {
        answer = (g, c) -> g == 1 ? CompletableFuture.failedFuture(new ConflictException("a change is in progress"))
                : applied(g, c);
        CommandResource.Answer conflict = resource().put("/4", null, null, "127.0.0.1:7004");
        assertEquals(409, conflict.status());
        assertTrue(body(conflict).contains("\"0\":{\"ok\":true") && body(conflict).contains("\"1\":{\"ok\":false,\"status\":409,"
                + "\"error\":\"a change is in progress\""), body(conflict));
        answer = (g, c) -> CompletableFuture.failedFuture(new ProposalTimeoutException("no quorum"));
        assertEquals(504, resource().delete("/2").status());
        answer = (g, c) -> CompletableFuture.failedFuture(new GroupUnavailableException("leader unknown"));
        CommandResource.Answer unavailable = resource().delete("/2");
        assertEquals(503, unavailable.status());
        assertEquals("1", unavailable.headers().get("Retry-After"));
        answer = (g, c) -> CompletableFuture.failedFuture(new IllegalArgumentException("no quorum would be reachable"));
        assertEquals(400, resource().delete("/2").status());
    }

    @Test
    void aNodeNotRunningAnswers503WithRetryAfterNever404() {
        state = GroupState.CATCHING_UP;
        for (CommandResource.Answer a : List.of(resource().get(), resource().delete("/9"),
                resource().put("/4", null, null, "127.0.0.1:7004"))) {
            assertEquals(503, a.status(), body(a));
            assertEquals("1", a.headers().get("Retry-After"));
        }
        assertEquals(List.of(), proposed);
    }

    @Test
    void gogoCommandsDoTheSameAndPrintOneLinePerGroup() {
        PaxosCommands gogo = new PaxosCommands(node(), (g, id) -> null);
        assertTrue(gogo.members().startsWith("group 0 since instance 0:  1@127.0.0.1:7001 voter ab12  2@127.0.0.1:7002 voter"),
                gogo.members());
        String replaced = gogo.replacemember(3, 4, "127.0.0.1:7004");
        assertEquals("replace node 3 by node 4 at 127.0.0.1:7004\ngroup 0: in force since instance 40\n"
                + "group 1: in force since instance 41\n", replaced);
        assertEquals("refused: role must be voter or follower: 'boss'", gogo.memberrole(4, "boss"));
        assertTrue(gogo.addmember(5, "127.0.0.1:7005", "follower").contains("group 1: in force"));
        assertTrue(gogo.memberrole(5, "voter").contains("group 0: in force"));
        assertTrue(gogo.removemember(9).startsWith("refused: node 9 is a member of no group"));
        assertTrue(gogo.removemember(5).contains("group 1: in force"));
        assertEquals(List.of(1, 2, 4), memberships.get(1).members().stream().map(Member::nodeId).toList());
    }

    @Test
    void theConsolePageShowsTheMembershipAndItsForms() {
        Map<String, Object> model = new HashMap<>();
        model.put("membership", MembersResource.model(node()));
        String html = MembershipHtml.html(model);
        assertTrue(html.contains("<tr data-group='1'><td class='group'>1</td><td class='configVersion'>0</td>"), html);
        assertTrue(html.contains("3@127.0.0.1:7003 voter (incarnation not known yet)"), html);
        assertTrue(html.contains("value='member-put'") && html.contains("value='member-remove'"), html);
    }
}
