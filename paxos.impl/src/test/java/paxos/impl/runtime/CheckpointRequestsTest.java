package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.MasterInfo;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.exec.RequestDedup;
import paxos.impl.log.InMemoryLogStore;

/**
 * The executed-requests table travels with a checkpoint, exactly at its instance: a node that
 * installs a checkpoint skips a request chosen again after it, as its peers do (issue 16: without
 * the table it executed it a second time, on that node only). Real files for the checkpoint and
 * the install marker; sender, wire format, receiver, installer, metadata and recovery are the
 * production classes.
 */
class CheckpointRequestsTest {
    private static final String MEMBERS = "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003";
    private static final int SM = 7;
    @TempDir Path dir;

    private static byte[] batch(BatchCommand... commands) {
        return BatchCodec.encode(List.of(commands));
    }

    private static BatchCommand cmd(int node, long request, String value) {
        return new BatchCommand(SM, -1, node, request, value.getBytes());
    }

    /** Records the values it executes; its checkpoint (one small file) stands at {@code at}. */
    static final class Machine implements StateMachine, CheckpointSupport {
        final List<String> executed = new ArrayList<>();
        final Path data;
        long at;

        Machine(Path data, long at) throws Exception {
            this.data = data;
            this.at = at;
            Files.createDirectories(data);
            Files.writeString(data.resolve("state"), "at " + at);
        }

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            batch.commands().forEach(c -> {
                executed.add(new String(c.value()));
                results.complete(c.index(), "ok");
            });
        }

        @Override public long checkpointInstance(int group) { return at; }
        @Override public CheckpointFiles lockCheckpoint(int group) { return new CheckpointFiles(at, data, List.of("state")); }
        @Override public void unlockCheckpoint(int group) {}
        @Override public Path dataDirectory(int group) { return data; }
    }

    /** Executes anything, keeps nothing. */
    static final class GroupExecutorTestMachine implements StateMachine {
        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) {
            batch.commands().forEach(c -> results.complete(c.index(), "ok"));
        }
    }

    /** The sender's side as a GroupRunner keeps it: an executor and the history the runtime notes of it. */
    private static final class Peer {
        final GroupExecutor executor = new GroupExecutor(0, 1, ExecutorState.INITIAL, 5000);
        final ExecMeta meta = ExecMeta.empty();
        final List<Map<Integer, NavigableMap<Long, Long>>> tableAfter = new ArrayList<>();
        long next;

        Peer(StateMachine m) {
            executor.register(SM, m, -1);
        }

        void execute(byte[]... instances) {
            for (byte[] b : instances) {
                executor.offer(new ChosenValue(next++, b));
                executor.run();
                meta.requests().noteExecuted(executor.drainExecutedRequests());
                tableAfter.add(executor.executedRequests());
            }
        }
    }

    @Test
    void aRequestExecutedBeforeTheCheckpointIsSkippedAfterTheInstallAsOnThePeers() throws Exception {
        Machine source = new Machine(dir.resolve("peer/sm"), 1);
        Peer peer = new Peer(source);
        // node 2's request 10 runs at instance 0; the checkpoint is at 1, inside the history the peer kept since
        peer.execute(batch(cmd(2, 10, "a")), batch(cmd(3, 5, "b"), cmd(2, 11, "c")), batch(cmd(3, 6, "d")));
        peer.meta.positions().put(SM, 0L);
        peer.meta.replayFrom().ifPresent(peer.meta.requests()::advanceTo); // housekeeping: the base stands before 1

        Machine here = new Machine(dir.resolve("here/sm"), -1);
        CheckpointReceiver receiver = new CheckpointReceiver(0, 9L, id -> here.data, m -> {});
        AtomicReference<CheckpointSender> self = new AtomicReference<>();
        AtomicReference<String> outcome = new AtomicReference<>();
        List<Exception> failed = new ArrayList<>();
        CheckpointSender sender = new CheckpointSender(0, 2, 9L, Map.of(SM, source), i -> MasterInfo.NONE, i -> Map.of(),
                i -> new CheckpointRequests(i, peer.meta.requests().tableAfter(i)), m -> {
                    try { // through the wire format, in pieces smaller than the table
                        receiver.handle(CheckpointWire.decode(CheckpointWire.encode(m), 1 << 20));
                        if (m instanceof CheckpointWire.Chunk c) self.get().onAck(c.seq());
                    } catch (Exception e) {
                        failed.add(e);
                    }
                    return true;
                }, CheckpointConfig.defaults(dir.resolve("ckpt")), 24, progress(outcome));
        self.set(sender);
        sender.run();
        assertEquals(List.of(), failed);
        assertEquals("SENT", outcome.get());
        assertEquals(peer.tableAfter.get(1), receiver.requests().entries(), "the table just after the checkpoint's instance");

        // install (its crash-safe path: marker DONE, recorded at the next start) and recover the group
        InMemoryLogStore store = new InMemoryLogStore();
        CheckpointInstaller installer = new CheckpointInstaller(dir.resolve("here/ckpt"));
        installer.install(0, receiver.targets(), List.of(1L), receiver.master(), receiver.versions(), receiver.requests());
        here.at = 1; // the state machine opens the installed files
        new CheckpointInstall(null, store, null, installer, () -> false).recordCompletedInstall(0);
        GroupRecovery.Recovered r = new GroupRecovery(
                EngineConfig.builder(3, MEMBERS).dataDir(Path.of("unused")).groupCount(1).build(), store, g -> { },
                new SplittableRandom(1)).recover(0, Map.of(SM, here));
        assertNull(r.inconsistent());
        assertEquals(2, r.applyFrom());

        // node 2 forwarded request 10 again to a new leader: chosen a second time after the checkpoint
        byte[] again = batch(cmd(2, 10, "a"), cmd(2, 12, "e"));
        peer.execute(again);
        r.executor().register(SM, here, 1);
        r.executor().offer(new ChosenValue(2, batch(cmd(3, 6, "d"))));
        r.executor().offer(new ChosenValue(3, again));
        r.executor().run();
        assertEquals(List.of("d", "e"), here.executed, "request 10 of node 2 ran at instance 0 and runs nowhere again");
        assertEquals(peer.tableAfter.get(3), r.executor().executedRequests());
        assertTrue(!Files.exists(installer.requestsFile(0)), "the table beside the marker is gone once recorded");
    }

    private static CheckpointSender.Progress progress(AtomicReference<String> outcome) {
        return new CheckpointSender.Progress() {
            @Override public void locked(long instance, long bytesTotal, int filesTotal) {}
            @Override public void sent(long bytes, int files) {}
            @Override public void finished(TransferOutcome o, String detail) {
                outcome.set(detail == null ? o.name() : o.name() + ": " + detail);
            }
        };
    }

    @Test
    void theHistoryTellsTheTableAtEveryCheckpointInstanceExactlyAlsoAcrossEvictions() {
        Peer peer = new Peer(new GroupExecutorTestMachine());
        int perInstance = 7;
        long id = 100;
        for (int i = 0; i < 3 * RequestDedup.WINDOW / perInstance; i++) { // beyond the window of both proposers
            BatchCommand[] cmds = new BatchCommand[perInstance];
            for (int k = 0; k < perInstance; k++) cmds[k] = cmd(1 + k % 2, id++, "v");
            peer.execute(batch(cmds));
        }
        peer.meta.positions().put(SM, 40L);
        peer.meta.replayFrom().ifPresent(peer.meta.requests()::advanceTo);
        for (long i = 40; i < peer.next; i += 37)
            assertEquals(peer.tableAfter.get((int) i), peer.meta.requests().tableAfter(i), "after instance " + i);
        IllegalStateException below = assertThrows(IllegalStateException.class, () -> peer.meta.requests().tableAfter(20));
        assertTrue(below.getMessage().contains("kept from instance 41 on"), below.getMessage());
    }

    @Test
    void aBadOrOversizedTableIsRefusedSayingWhy() {
        byte[] good = new CheckpointRequests(5, Map.of(2, new java.util.TreeMap<>(Map.of(10L, 3L)))).encode();
        assertEquals(Map.of(2, Map.of(10L, 3L)), CheckpointRequests.decode(good).entries());
        byte[] format = good.clone();
        format[0] = 2;
        assertMessage("format 2, this node reads 1", format);
        byte[] after = good.clone();
        ByteBuffer.wrap(after).putLong(1 + 8 + 4 + 4 + 4 + 8, 6); // first execution after the table's instance
        assertMessage("executed at 6, outside the table at instance 5", after);
        assertMessage("truncated", java.util.Arrays.copyOf(good, good.length - 1));
        assertMessage("trailing bytes", java.util.Arrays.copyOf(good, good.length + 1));
        byte[] many = ByteBuffer.allocate(13).put(CheckpointRequests.FORMAT).putLong(5).putInt(RequestDedup.PROPOSERS_MAX + 1).array();
        assertMessage("proposers, at most " + RequestDedup.PROPOSERS_MAX, many);
        byte[] window = ByteBuffer.allocate(21).put(CheckpointRequests.FORMAT).putLong(5).putInt(1).putInt(2)
                .putInt(RequestDedup.WINDOW + 1).array();
        assertMessage("requests of node 2, at most " + RequestDedup.WINDOW, window);
        assertMessage("at most " + CheckpointRequests.BYTES_MAX, new byte[CheckpointRequests.BYTES_MAX + 1]);
        // on the wire: a piece announcing a table beyond the limit, or outside its table
        byte[] piece = CheckpointWire.encode(new CheckpointWire.RequestsPart(0, 1, 0, CheckpointRequests.BYTES_MAX + 1, new byte[4]));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckpointWire.decode(piece, 1 << 20)).getMessage()
                .contains("at most " + CheckpointRequests.BYTES_MAX));
        byte[] outside = CheckpointWire.encode(new CheckpointWire.RequestsPart(0, 1, 8, 10, new byte[4]));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckpointWire.decode(outside, 1 << 20)).getMessage()
                .contains("bad executed-requests piece"));
    }

    private static void assertMessage(String expected, byte[] bytes) {
        String message = assertThrows(IllegalArgumentException.class, () -> CheckpointRequests.decode(bytes)).getMessage();
        assertTrue(message.contains(expected), message);
    }

    @Test
    void aCheckpointWithoutItsTableOrWithOneAtAnotherInstanceIsNotInstalled() throws Exception {
        Path data = dir.resolve("sm");
        CheckpointReceiver old = new CheckpointReceiver(0, 1L, id -> data, m -> {});
        old.handle(new CheckpointWire.Begin(0, 1L, MasterInfo.NONE, List.of(new CheckpointWire.Part(SM, 41, 0, 0))));
        CheckpointReceiver.TransferException e = assertThrows(CheckpointReceiver.TransferException.class,
                () -> old.handle(new CheckpointWire.Done(0, 1L, 0, 0)));
        assertEquals(TransferOutcome.UNSUPPORTED, e.outcome());
        assertTrue(e.getMessage().contains("without its executed-requests table"), e.getMessage());

        CheckpointReceiver shifted = new CheckpointReceiver(0, 2L, id -> data, m -> {});
        shifted.handle(new CheckpointWire.Begin(0, 2L, MasterInfo.NONE, List.of(new CheckpointWire.Part(SM, 41, 0, 0))));
        byte[] table = new CheckpointRequests(40, Map.of()).encode();
        e = assertThrows(CheckpointReceiver.TransferException.class,
                () -> shifted.handle(new CheckpointWire.RequestsPart(0, 2L, 0, table.length, table)));
        assertTrue(e.getMessage().contains("table at instance 40, checkpoint at 41"), e.getMessage());
    }
}
