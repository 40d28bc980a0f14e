package paxos.impl.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.StateMachineInfo;

/** Each check UP and DOWN against a fake node (node 1 of three voters, one group), disk and clock. */
class HealthChecksTest {
    private GroupState state = GroupState.RUNNING;
    private long chosen = 100;
    private long executed = 100;
    private List<StateMachineInfo> machines = List.of(new StateMachineInfo(7, "kv", 5, StateMachineInfo.State.RUNNING));
    private List<Integer> waitingFor = List.of();
    private boolean peer2Reachable = true;
    private boolean peer3Reachable = true;
    private HealthChecks.Space space = new HealthChecks.Space(50L << 30, 100L << 30);
    private long nanos;
    private final HealthChecks checks = new HealthChecks(fakeNode(), Path.of("data"), d -> space, () -> nanos);

    @Test
    void healthyNodeIsUpWithEveryCheckListed() {
        HealthChecks.Result r = checks.run();
        assertTrue(r.up(), r.toString());
        assertEquals(List.of("groupsRunning", "quorum", "executionLag", "stateMachines", "diskSpace", "checkpointTransfers"),
                r.checks().stream().map(HealthChecks.Check::name).toList());
        assertEquals("UP", r.toMap().get("status"));
    }

    @Test
    void groupNotRunningIsDown() {
        state = GroupState.CATCHING_UP;
        assertDown("groupsRunning");
        state = GroupState.FAILED;
        assertDown("groupsRunning");
    }

    @Test
    void quorumNeedsAMajorityOfVotersCountingThisNode() {
        peer3Reachable = false;
        assertUp("quorum"); // 2 of 3
        peer2Reachable = false;
        assertDown("quorum"); // 1 of 3
    }

    @Test
    void executionLagAtTheThresholdIsDown() {
        executed = chosen - HealthChecks.EXECUTION_LAG_MAX + 1;
        assertUp("executionLag");
        executed = chosen - HealthChecks.EXECUTION_LAG_MAX;
        assertDown("executionLag");
    }

    @Test
    void failedOrDivergedStateMachineIsDown() {
        machines = List.of(new StateMachineInfo(7, "kv", null, 5, StateMachineInfo.State.FAILED, "boom at 42"));
        assertDown("stateMachines");
        machines = List.of(new StateMachineInfo(7, "kv", 5, StateMachineInfo.State.DIVERGED));
        assertDown("stateMachines");
    }

    @Test
    void waitingIsDownOnlyAfterTheGraceTimeAndTheClockRestartsWhenTheWaitEnds() {
        state = GroupState.WAITING;
        waitingFor = List.of(7);
        machines = List.of(new StateMachineInfo(7, "", 5, StateMachineInfo.State.WAITING));
        assertUp("stateMachines");
        assertUp("groupsRunning"); // a waiting group is judged by the stateMachines check
        nanos += HealthChecks.WAITING_MAX.toNanos() + 1;
        assertDown("stateMachines");
        state = GroupState.RUNNING;
        waitingFor = List.of();
        machines = List.of(new StateMachineInfo(7, "kv", 5, StateMachineInfo.State.RUNNING));
        assertUp("stateMachines");
        machines = List.of(new StateMachineInfo(7, "", 5, StateMachineInfo.State.WAITING));
        assertUp("stateMachines"); // a new wait starts from zero
    }

    @Test
    void diskBelowTheFloorIsDown() {
        space = new HealthChecks.Space(HealthChecks.DISK_FREE_BYTES_MIN - 1, 100L << 30);
        assertDown("diskSpace");
        space = new HealthChecks.Space(600L << 20, 10L << 30); // small disk: 5% (512 MiB) is the floor
        assertUp("diskSpace");
        space = new HealthChecks.Space(400L << 20, 10L << 30);
        assertDown("diskSpace");
    }

    @Test
    void realFileSystemIsRead() {
        HealthChecks.Space s = HealthChecks.space(Path.of("does-not-exist-yet/sub"));
        assertTrue(s.totalBytes() > 0 && s.usableBytes() >= 0, s.toString());
    }

    private void assertUp(String name) {
        HealthChecks.Check c = check(name);
        assertTrue(c.up(), c.toString());
    }

    private void assertDown(String name) {
        HealthChecks.Result r = checks.run();
        HealthChecks.Check c = r.checks().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        assertFalse(c.up(), c.toString());
        assertFalse(r.up());
        assertEquals("DOWN", r.toMap().get("status"));
    }

    private HealthChecks.Check check(String name) {
        return checks.run().checks().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    private PaxosNode fakeNode() {
        Membership members = new Membership(0, List.of(new Member(1, "127.0.0.1", 1, MemberRole.VOTER),
                new Member(2, "127.0.0.1", 2, MemberRole.VOTER), new Member(3, "127.0.0.1", 3, MemberRole.VOTER)));
        return (PaxosNode) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PaxosNode.class}, (p, m, args) ->
                switch (m.getName()) {
                    case "nodeId" -> 1;
                    case "groupCount" -> 1;
                    case "membership" -> members;
                    case "status" -> new GroupStatus(0, state, chosen, executed, 0, 0, 0, MasterInfo.NONE, waitingFor,
                            state == GroupState.FAILED ? "log write failed" : null, 1, 0, 0, machines, Map.of());
                    case "peers" -> {
                        List<PeerInfo> peers = new ArrayList<>();
                        peers.add(new PeerInfo(2, "127.0.0.1:2", true, true, null, 10, peer2Reachable, 0));
                        peers.add(new PeerInfo(3, "127.0.0.1:3", true, true, null, 10, peer3Reachable, 0));
                        yield peers;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
