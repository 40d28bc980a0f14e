package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MembershipChange;
import paxos.api.NotMemberException;
import paxos.api.PeerInfo;
import paxos.api.Proposal;
import paxos.plugins.kv.KvCommand;

/**
 * A member removed through the log, on three embedded nodes (real LevelDB, real Netty on
 * 127.0.0.1): the remaining nodes stop dialing it, and the removed node sees that it is no member
 * any more (it refuses proposals, so it does not campaign either) instead of believing it votes.
 */
class RemovedMemberTest {
    @TempDir Path dir;

    @Test
    void theRemainingNodesStopDialingARemovedNodeAndItKnowsItIsNoMember() throws Exception {
        try (KvCluster c = new KvCluster(dir, 1_000_000, 1)) {
            for (int id = 1; id <= 3; id++) c.start(id);
            await().atMost(Duration.ofSeconds(30)).until(() -> c.nodes[1].engine().quorumReachable(0));
            c.write(1, 0, "before", 3, 8);

            c.nodes[1].node().changeMembership(0, new MembershipChange.Remove(3)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            for (int id = 1; id <= 2; id++) {
                EmbeddedNode n = c.nodes[id];
                await().atMost(Duration.ofSeconds(20)).until(() -> n.node().peers().stream().map(PeerInfo::nodeId).noneMatch(p -> p == 3));
            }
            // its peers may stop talking to it before it learns where the change is in force: it knows from the chosen change
            await().atMost(Duration.ofSeconds(20)).until(() -> !c.nodes[3].engine().latestMembership(0).contains(3));
            CompletionException refused = assertThrows(CompletionException.class, () -> c.nodes[3].node()
                    .propose(new Proposal(0, KvCluster.KV, KvCommand.put("via-3", new byte[8]).encode(),
                            Proposal.NO_MASTER_CONDITION, 5_000)).toCompletableFuture().join());
            assertInstanceOf(NotMemberException.class, refused.getCause(), String.valueOf(refused.getCause()));
            c.write(1, 0, "after", 3, 8); // {1, 2}
        }
    }
}
