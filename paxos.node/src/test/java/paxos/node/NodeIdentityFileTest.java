package paxos.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.node.NodeIdentityFile.StartMode;

/** The data directory's identity: made once (bootstrap), checked at every start, never silently remade. */
class NodeIdentityFileTest {
    @TempDir Path dir;

    @Test
    void bootstrapCreatesAnIdentityThatLaterStartsKeep() throws Exception {
        Path data = dir.resolve("node");
        NodeIdentityFile created = NodeIdentityFile.open(data, "blue", 3, StartMode.BOOTSTRAP);
        assertTrue(created.incarnation().matches("[0-9a-f]{32}"), created.incarnation());
        assertEquals(created, NodeIdentityFile.open(data, "blue", 3, StartMode.MEMBER));
        assertEquals(created, NodeIdentityFile.open(data, "blue", 3, StartMode.BOOTSTRAP), "bootstrap never remakes one");
        assertNotEquals(created.incarnation(), NodeIdentityFile.open(dir.resolve("other"), "blue", 3,
                StartMode.BOOTSTRAP).incarnation(), "each directory its own incarnation");
    }

    @Test
    void aMemberRefusesAMissingOrEmptyDirectoryAndCreatesNothing() throws Exception {
        Path data = dir.resolve("node");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> NodeIdentityFile.open(data, "blue", 3, StartMode.MEMBER));
        assertTrue(missing.getMessage().contains("refuses to start") && missing.getMessage().contains("missing or empty")
                && missing.getMessage().contains("--join") && missing.getMessage().contains("replace=3")
                && missing.getMessage().contains("--bootstrap"), missing.getMessage());
        assertFalse(Files.exists(data));
        Files.createDirectories(data);
        assertThrows(IllegalStateException.class, () -> NodeIdentityFile.open(data, "blue", 3, StartMode.MEMBER));
        try (var children = Files.list(data)) {
            assertEquals(0, children.count());
        }
    }

    @Test
    void joinCreatesAFreshIncarnationOnceAndAMemberStartKeepsIt() throws Exception {
        Path data = dir.resolve("node");
        assertFalse(NodeIdentityFile.exists(data));
        NodeIdentityFile joined = NodeIdentityFile.open(data, "blue", 4, StartMode.JOIN);
        assertTrue(NodeIdentityFile.exists(data));
        assertTrue(joined.incarnation().matches("[0-9a-f]{32}"), joined.incarnation());
        assertEquals(joined, NodeIdentityFile.open(data, "blue", 4, StartMode.JOIN), "a second --join keeps it");
        assertEquals(joined, NodeIdentityFile.open(data, "blue", 4, StartMode.MEMBER));
        Path wiped = dir.resolve("wiped");
        Files.createDirectories(wiped);
        assertNotEquals(joined.incarnation(), NodeIdentityFile.open(wiped, "blue", 4, StartMode.JOIN).incarnation(),
                "a wiped directory joins under a new incarnation");
    }

    @Test
    void anotherNodesOrClustersDirectoryIsRefused() throws Exception {
        NodeIdentityFile.open(dir, "blue", 1, StartMode.BOOTSTRAP);
        IllegalStateException node = assertThrows(IllegalStateException.class,
                () -> NodeIdentityFile.open(dir, "blue", 2, StartMode.BOOTSTRAP));
        assertTrue(node.getMessage().contains("belongs to cluster blue node 1"), node.getMessage());
        IllegalStateException cluster = assertThrows(IllegalStateException.class,
                () -> NodeIdentityFile.open(dir, "green", 1, StartMode.MEMBER));
        assertTrue(cluster.getMessage().contains("not to cluster green node 1"), cluster.getMessage());
    }

    @Test
    void aTornWriteLeavesTheOldFileAndADamagedFileIsRefused() throws Exception {
        NodeIdentityFile created = NodeIdentityFile.open(dir, "blue", 1, StartMode.BOOTSTRAP);
        // a crash during a write leaves the temp file only; the identity itself is whole
        Files.writeString(dir.resolve(NodeIdentityFile.FILE + ".tmp"), "clusterId=bl");
        assertEquals(created, NodeIdentityFile.open(dir, "blue", 1, StartMode.MEMBER));
        assertFalse(Files.exists(dir.resolve(NodeIdentityFile.FILE + ".tmp")));
        // a file cut by hand (or a bad disk) is reported, never replaced by a fresh identity
        Files.writeString(dir.resolve(NodeIdentityFile.FILE), "clusterId=blue\nnodeId=1\nincarnation=12ab\n");
        IllegalStateException torn = assertThrows(IllegalStateException.class,
                () -> NodeIdentityFile.open(dir, "blue", 1, StartMode.BOOTSTRAP));
        assertTrue(torn.getMessage().contains("unreadable"), torn.getMessage());
        Files.writeString(dir.resolve(NodeIdentityFile.FILE), "clusterId=blue\n");
        assertThrows(IllegalStateException.class, () -> NodeIdentityFile.open(dir, "blue", 1, StartMode.MEMBER));
    }

    @Test
    void aDirectoryOfAnEarlierVersionGetsAnIncarnationOnce() throws Exception {
        Files.writeString(dir.resolve(NodeIdentityFile.FILE), "clusterId=blue\nnodeId=1\n");
        NodeIdentityFile upgraded = NodeIdentityFile.open(dir, "blue", 1, StartMode.MEMBER);
        assertTrue(upgraded.incarnation().matches("[0-9a-f]{32}"));
        assertEquals(upgraded, NodeIdentityFile.open(dir, "blue", 1, StartMode.MEMBER));
    }
}
