package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.TransportProperties;
import paxos.impl.log.InMemoryLogStore;
import paxos.impl.runtime.EngineConfig;
import paxos.testkit.LocalNetwork;

/** The engine component takes its identity from the transport and checks the limits fit. */
class NodeComponentTest {
    private static final Map<String, Object> TRANSPORT = Map.of(TransportProperties.NODE_ID, 2,
            TransportProperties.CLUSTER_ID, "prod", TransportProperties.MEMBERS, "1@127.0.0.1:7001,2@127.0.0.1:7002");

    @Test
    void identityAndMembersComeFromTheTransportsServiceProperties() {
        EngineConfig c = NodeComponent.toEngineConfig(null, form(4 << 20), TRANSPORT);
        assertEquals(2, c.nodeId());
        assertEquals("prod", c.clusterId());
        assertEquals("1@127.0.0.1:7001,2@127.0.0.1:7002", EngineConfig.describe(c.members()));
        assertEquals(Path.of("/tmp/engine"), c.dataDir());
        assertEquals(3, c.groupCount());
        // a node ID as ConfigAdmin text works too
        assertEquals(2, NodeComponent.toEngineConfig(null, form(4 << 20),
                Map.of("nodeId", "2", "clusterId", "prod", "members", "1@h:1,2@h:2")).nodeId());
    }

    @Test
    void theIncarnationComesFromTheTransportsServiceProperties() {
        assertEquals(null, NodeComponent.toEngineConfig(null, form(4 << 20), TRANSPORT).incarnation());
        Map<String, Object> withIncarnation = new java.util.HashMap<>(TRANSPORT);
        withIncarnation.put(TransportProperties.INCARNATION, "00112233445566778899aabbccddeeff");
        assertEquals("00112233445566778899aabbccddeeff",
                NodeComponent.toEngineConfig(null, form(4 << 20), withIncarnation).incarnation());
        withIncarnation.put(TransportProperties.INCARNATION, "");
        assertEquals(null, NodeComponent.toEngineConfig(null, form(4 << 20), withIncarnation).incarnation());
    }

    @Test
    void theDataDirectorysIncarnationWinsAndATransportPresentingAnotherIsRefused() {
        EngineConfig none = NodeComponent.toEngineConfig(null, form(4 << 20), TRANSPORT);
        assertEquals("0a0b", NodeComponent.withIncarnation(none, "0a0b").incarnation());
        assertEquals(null, NodeComponent.withIncarnation(none, null).incarnation());
        EngineConfig presented = none.withIncarnation("0a0b");
        assertEquals("0a0b", NodeComponent.withIncarnation(presented, "0A0B").incarnation());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.withIncarnation(presented, "0c0d"));
        assertTrue(e.getMessage().contains("presents incarnation 0a0b") && e.getMessage().contains("0c0d"), e.getMessage());
    }

    @Test
    void aTransportWithoutIdentityOrWithAForeignNodeIsRefusedByName() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.toEngineConfig(null, form(4 << 20), Map.of("nodeId", 1)));
        assertTrue(missing.getMessage().contains("lacks the properties nodeId, clusterId and members"), missing.getMessage());
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> NodeComponent.toEngineConfig(
                null, form(4 << 20), Map.of("nodeId", 9, "clusterId", "prod", "members", "1@h:1,2@h:2")));
        assertTrue(foreign.getMessage().contains("nodeId 9 is not one of the members"), foreign.getMessage());
    }

    @Test
    void limitsThatDoNotFitNameTheFormToChange() throws Exception {
        try (LocalNetwork network = new LocalNetwork(List.of(1, 2)); InMemoryLogStore store = new InMemoryLogStore()) {
            EngineConfig fits = NodeComponent.toEngineConfig(null, form(1 << 20), TRANSPORT);
            NodeComponent.checkLimits(fits, store, network.transport(2));
            EngineConfig tooLarge = NodeComponent.toEngineConfig(null, form(LocalNetwork.MAX_MESSAGE_BYTES), TRANSPORT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NodeComponent.checkLimits(tooLarge, store, network.transport(2)));
            assertTrue(e.getMessage().contains("paxos.transport.netty") || e.getMessage().contains("paxos.storage.leveldb"),
                    e.getMessage());
        }
    }

    @Test
    void theCheckpointTransferRateLimitReachesTheSenderAndIsRefusedBelow64KiBByName() {
        EngineConfig c = NodeComponent.toEngineConfig(null, form(4 << 20), TRANSPORT);
        assertEquals(NodeComponent.CHECKPOINT_TRANSFER_BYTES_PER_SECOND_DEFAULT,
                NodeComponent.toCheckpointConfig(c, form(4 << 20)).bytesPerSecondMax());
        assertEquals(Path.of("/tmp/engine/checkpoint"), NodeComponent.toCheckpointConfig(c, form(4 << 20)).stagingDirectory());
        assertEquals(65_536, NodeComponent.toCheckpointConfig(c, form(4 << 20, 65_536)).bytesPerSecondMax());
        IllegalArgumentException slow = assertThrows(IllegalArgumentException.class,
                () -> NodeComponent.toCheckpointConfig(c, form(4 << 20, 1000)));
        assertTrue(slow.getMessage().startsWith("checkpointTransferBytesPerSecond must be >= 65536"), slow.getMessage());
    }

    private static NodeComponent.Config form(int batchBytesMax) {
        return form(batchBytesMax, NodeComponent.CHECKPOINT_TRANSFER_BYTES_PER_SECOND_DEFAULT);
    }

    private static NodeComponent.Config form(int batchBytesMax, long checkpointRate) {
        return new NodeComponent.Config() {
            @Override public Class<? extends Annotation> annotationType() { return NodeComponent.Config.class; }
            @Override public String dataDir() { return "/tmp/engine"; }
            @Override public int groupCount() { return 3; }
            @Override public long holdLogCount() { return 10; }
            @Override public int batchCountMax() { return 512; }
            @Override public int batchBytesMax() { return batchBytesMax; }
            @Override public int windowMax() { return 4; }
            @Override public int maxValueBytes() { return 1 << 20; }
            @Override public long checkpointTransferBytesPerSecond() { return checkpointRate; }
            @Override public boolean joining() { return false; }
        };
    }
}
