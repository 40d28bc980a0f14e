package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MasterInfo;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/** The sending side always unlocks; the receiving side verifies what it writes. Real files. */
class CheckpointSenderTest {
    @TempDir Path dir;

    /** A state machine whose checkpoint is a few files; counts locks and unlocks. */
    static final class Files3 implements StateMachine, CheckpointSupport {
        final Path source;
        final AtomicInteger locks = new AtomicInteger();
        final AtomicInteger unlocks = new AtomicInteger();

        Files3(Path source) throws IOException {
            this.source = source;
            Files.createDirectories(source.resolve("sub"));
            byte[] big = new byte[300_000];
            new java.util.Random(7).nextBytes(big);
            Files.write(source.resolve("a.bin"), big);
            Files.write(source.resolve("sub/b.txt"), "hello".getBytes());
            Files.write(source.resolve("empty"), new byte[0]);
        }

        @Override public void execute(ExecutionBatch batch, ExecutionResults results) {}

        @Override
        public CheckpointFiles lockCheckpoint(int group) {
            locks.incrementAndGet();
            return new CheckpointFiles(41, source, List.of("a.bin", "sub/b.txt", "empty"));
        }

        @Override
        public void unlockCheckpoint(int group) {
            unlocks.incrementAndGet();
        }

        @Override
        public Path dataDirectory(int group) {
            return dir("data");
        }

        Path dir(String name) {
            return source.resolveSibling(name);
        }
    }

    private CheckpointConfig config() {
        return CheckpointConfig.defaults(dir.resolve("ckpt")).withChunks(16 << 10, 4).withTiming(300, 1000, 100);
    }

    private CheckpointSender sender(Files3 sm, Predicate<CheckpointWire.Msg> send, AtomicReference<String> outcome) {
        return new CheckpointSender(0, 2, 7L, Map.of(1, sm), i -> MasterInfo.NONE, send, config(), 16 << 10,
                new CheckpointSender.Progress() {
                    @Override public void locked(long instance, long bytesTotal, int filesTotal) {}
                    @Override public void sent(long bytes, int files) {}
                    @Override public void finished(TransferOutcome o, String detail) {
                        outcome.set(detail == null ? o.name() : o.name() + ": " + detail);
                    }
                });
    }

    @Test
    void aCompleteTransferArrivesVerifiedAndUnlocks() throws Exception {
        Files3 sm = new Files3(dir.resolve("src"));
        AtomicReference<String> outcome = new AtomicReference<>();
        AtomicReference<CheckpointSender> self = new AtomicReference<>();
        List<CheckpointWire.Msg> replies = new CopyOnWriteArrayList<>();
        CheckpointReceiver receiver = new CheckpointReceiver(0, 7L, id -> sm.dir("data"), replies::add);
        AtomicReference<Exception> failed = new AtomicReference<>();
        CheckpointSender s = sender(sm, m -> {
            try { // through the wire format, as on the network
                receiver.handle(CheckpointWire.decode(CheckpointWire.encode(m), 1 << 20));
                if (m instanceof CheckpointWire.Chunk c) self.get().onAck(c.seq());
            } catch (Exception e) {
                failed.set(e);
            }
            return true;
        }, outcome);
        self.set(s);
        s.run();
        assertEquals("SENT", outcome.get());
        assertEquals(null, failed.get());
        assertEquals(1, sm.unlocks.get());
        Path incoming = sm.dir("data" + CheckpointInstaller.INCOMING);
        assertArrayEquals(Files.readAllBytes(sm.source.resolve("a.bin")), Files.readAllBytes(incoming.resolve("a.bin")));
        assertArrayEquals("hello".getBytes(), Files.readAllBytes(incoming.resolve("sub/b.txt")));
        assertEquals(0, Files.size(incoming.resolve("empty")));
        assertEquals(41, receiver.instanceOf(1));
    }

    @Test
    void aCorruptChunkIsRefused() throws Exception {
        Files3 sm = new Files3(dir.resolve("src"));
        CheckpointReceiver receiver = new CheckpointReceiver(0, 7L, id -> sm.dir("data"), m -> {});
        receiver.handle(new CheckpointWire.Begin(0, 7L, MasterInfo.NONE, List.of(new CheckpointWire.Part(1, 41, 1, 5))));
        receiver.handle(new CheckpointWire.FileStart(0, 7L, 1, "x", 5));
        try {
            receiver.handle(new CheckpointWire.Chunk(0, 7L, 0, 12345, "hello".getBytes()));
            throw new AssertionError("accepted a chunk with a wrong checksum");
        } catch (CheckpointReceiver.TransferException expected) {
            assertTrue(expected.getMessage().contains("checksum"));
        }
        receiver.discard();
        assertTrue(!Files.exists(sm.dir("data" + CheckpointInstaller.INCOMING)));
    }

    @Test
    void cancelledMidwayTheCheckpointIsUnlocked() throws Exception {
        Files3 sm = new Files3(dir.resolve("src"));
        AtomicReference<String> outcome = new AtomicReference<>();
        AtomicReference<CheckpointSender> self = new AtomicReference<>();
        AtomicInteger chunks = new AtomicInteger();
        CheckpointSender s = sender(sm, m -> {
            if (m instanceof CheckpointWire.Chunk c) {
                if (chunks.incrementAndGet() == 3) self.get().cancel(TransferOutcome.PEER_ABORTED, "receiver aborted");
                else self.get().onAck(c.seq());
            }
            return true;
        }, outcome);
        self.set(s);
        Thread t = new Thread(s);
        t.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null);
        assertTrue(outcome.get().startsWith("PEER_ABORTED: cancelled: receiver aborted"), outcome.get());
        assertEquals(1, sm.locks.get());
        assertEquals(1, sm.unlocks.get());
    }

    @Test
    void aReceiverThatDisappearsTimesOutAndTheCheckpointIsUnlocked() throws Exception {
        Files3 sm = new Files3(dir.resolve("src"));
        AtomicReference<String> outcome = new AtomicReference<>();
        CheckpointSender s = sender(sm, m -> true, outcome); // sends "succeed", nothing is ever acknowledged
        new Thread(s).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null);
        assertTrue(outcome.get().startsWith("TIMED_OUT: ") && outcome.get().contains("idle"), outcome.get());
        assertEquals(1, sm.unlocks.get());
    }

    @Test
    void anUnreachableReceiverTimesOutAndTheCheckpointIsUnlocked() throws Exception {
        Files3 sm = new Files3(dir.resolve("src"));
        AtomicReference<String> outcome = new AtomicReference<>();
        CheckpointSender s = sender(sm, m -> false, outcome); // the transport drops everything
        new Thread(s).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null);
        assertTrue(outcome.get().startsWith("PEER_GONE: ") && outcome.get().contains("unreachable"), outcome.get());
        assertEquals(1, sm.unlocks.get());
    }
}
