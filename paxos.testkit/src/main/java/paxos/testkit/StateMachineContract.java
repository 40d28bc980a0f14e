package paxos.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposal;
import paxos.api.statemachine.CheckpointFiles;
import paxos.api.statemachine.CheckpointSupport;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.DigestSupport;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.StateMachine;

/**
 * The contract every {@link StateMachine} must keep (see its Javadoc and
 * {@link CheckpointSupport}'s), as one JUnit 5 suite a plugin runs in its own tests:
 *
 * <pre>{@code
 * class CounterContractTest extends StateMachineContract {
 *     protected StateMachine open(Path dir) throws IOException { return new Counter(dir); }
 *     protected byte[] command(int n) { return ("add " + n).getBytes(UTF_8); }
 * }
 * }</pre>
 *
 * <p>The suite feeds a deterministic log of {@link #command(int) commands} to {@link #group()}: some
 * instances carry several commands with non-contiguous indexes, some none. Every {@code execute} runs
 * on one dedicated "execution thread", as in the engine; {@code checkpointInstance} and the
 * checkpoint calls also run on the test's own thread. It checks: results only for the batch's
 * indexes; idempotence by position on replay; a reopened state machine (a restart) reports a
 * position it holds entirely and, replayed from there, reaches the uninterrupted state; two replicas
 * fed the same log agree; and, for {@link CheckpointSupport}: locked files do not change while
 * execution continues, and installing them in an empty directory and restarting gives exactly the
 * state at the checkpoint's position (never half an instance) and, replayed, the same end state;
 * for {@link DigestSupport}: equal digests for equal states, also after a restart.
 *
 * <p>States are compared through {@link #state}: the {@link DigestSupport digest} by default;
 * override it to compare something richer (or when the state machine has no digest).
 */
public abstract class StateMachineContract {
    /** Instances in the suite's log. */
    protected static final int LOG_LENGTH = 40;

    @TempDir protected Path root;

    private final ExecutorService executionThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "contract-execution");
        t.setDaemon(true);
        return t;
    });
    private final List<StateMachine> opened = new ArrayList<>();
    private final List<ExecutionBatch> log = new ArrayList<>();
    private int directories;

    /**
     * Opens the state machine on the files under {@code dir}, restoring what they hold (as at a
     * bundle start). {@code dir} exists; it is empty the first time. Called several times per test,
     * with the same or another directory; the suite {@link #close closes} it before reopening.
     */
    protected abstract StateMachine open(Path dir) throws Exception;

    /**
     * The {@code n}-th command ({@code n >= 0}) of the suite's log: valid for this state machine,
     * the same bytes for the same {@code n}, and most of them should change the state.
     */
    protected abstract byte[] command(int n);

    /** Closes a state machine {@link #open} returned; by default through {@link AutoCloseable}. */
    protected void close(StateMachine stateMachine) throws Exception {
        if (stateMachine instanceof AutoCloseable c) c.close();
    }

    /**
     * What two replicas at the same position must agree on, compared with {@code equals}. By
     * default the {@link DigestSupport#digest} at the position; override it for a state machine
     * without a digest, or to compare the state itself. Called on the execution thread.
     */
    protected Object state(StateMachine stateMachine, int group) {
        if (stateMachine instanceof DigestSupport d) return d.digest(group, stateMachine.checkpointInstance(group));
        throw new UnsupportedOperationException("no DigestSupport: override state(StateMachine, int)");
    }

    /** The group the log is addressed to. */
    protected int group() {
        return 0;
    }

    @AfterEach
    void closeAll() throws Exception {
        executionThread.shutdownNow();
        for (StateMachine sm : opened) {
            try {
                close(sm);
            } catch (Exception | Error e) {
                // already closed by the test, or failing to close a second time: not this contract's concern
            }
        }
    }

    @Test
    void aNewStateMachineHoldsNoInstance() throws Exception {
        assertEquals(-1, fresh().checkpointInstance(group()));
    }

    @Test
    void resultsGoOnlyToTheBatchsIndexesAndNeverAfterTheCall() throws Exception {
        StateMachine sm = fresh();
        List<RecordingResults> results = execute(sm, 0, LOG_LENGTH);
        for (RecordingResults r : results) {
            assertTrue(r.lateCalls() == 0, "complete/isAwaited called after execute returned for instance " + r.batch().instance());
            assertTrue(r.byIndex().keySet().stream().allMatch(r::inBatch), "results only for the batch's indexes");
        }
        long position = sm.checkpointInstance(group());
        assertTrue(position <= LOG_LENGTH - 1, "position " + position + " beyond the last executed instance");
    }

    @Test
    void replayingEarlierInstancesChangesNothing() throws Exception {
        StateMachine sm = fresh();
        execute(sm, 0, LOG_LENGTH);
        Object before = state(sm);
        long position = sm.checkpointInstance(group());
        execute(sm, Math.max(0, position - 10), position + 1);
        assertEquals(before, state(sm), "re-executing instances at or below the position must be ignored");
        assertEquals(position, sm.checkpointInstance(group()));
    }

    @Test
    void replicasFedTheSameLogAgree() throws Exception {
        StateMachine a = fresh();
        StateMachine b = fresh();
        execute(a, 0, LOG_LENGTH);
        execute(b, 0, LOG_LENGTH / 2);
        execute(b, LOG_LENGTH / 2, LOG_LENGTH);
        assertEquals(state(a), state(b));
        assertEquals(a.checkpointInstance(group()), b.checkpointInstance(group()));
    }

    @Test
    void aRestartResumesFromADurablePositionAndReplayReachesTheSameState() throws Exception {
        StateMachine reference = fresh();
        execute(reference, 0, LOG_LENGTH);
        Path dir = newDirectory();
        StateMachine sm = openAt(dir);
        execute(sm, 0, LOG_LENGTH / 2);
        StateMachine restarted = restart(sm, dir);
        long position = restarted.checkpointInstance(group());
        assertTrue(position >= -1 && position <= LOG_LENGTH / 2 - 1, "position after restart: " + position);
        assertEquals(stateAt(position), state(restarted), "the restored state is the state at the reported position");
        execute(restarted, position + 1, LOG_LENGTH);
        StateMachine again = restart(restarted, dir);
        execute(again, again.checkpointInstance(group()) + 1, LOG_LENGTH);
        assertEquals(state(reference), state(again));
    }

    @Test
    void theDigestIsAFunctionOfTheStateAlone() throws Exception {
        StateMachine a = fresh();
        assumeTrue(a instanceof DigestSupport, "no DigestSupport");
        execute(a, 0, LOG_LENGTH);
        Path dir = newDirectory();
        StateMachine b = openAt(dir);
        execute(b, 0, LOG_LENGTH);
        StateMachine restarted = restart(b, dir);
        execute(restarted, restarted.checkpointInstance(group()) + 1, LOG_LENGTH);
        long expected = onExecutionThread(() -> ((DigestSupport) a).digest(group(), LOG_LENGTH - 1));
        assertEquals(expected, (long) onExecutionThread(() -> ((DigestSupport) restarted).digest(group(), LOG_LENGTH - 1)),
                "equal states give equal digests, also after a restart");
    }

    @Test
    void checkpointInstanceMayBeReadWhileExecuting() throws Exception {
        StateMachine sm = fresh();
        Future<List<RecordingResults>> running = executionThread.submit(() -> executeHere(sm, 0, LOG_LENGTH));
        long last = -1;
        while (!running.isDone()) {
            long p = sm.checkpointInstance(group());
            assertTrue(p >= last, "position went back from " + last + " to " + p);
            last = p;
        }
        running.get();
        assertTrue(sm.checkpointInstance(group()) >= last);
    }

    @Test
    void lockedCheckpointFilesDoNotChangeWhileExecutionContinues() throws Exception {
        StateMachine sm = fresh();
        CheckpointSupport cs = checkpointSupport(sm);
        execute(sm, 0, LOG_LENGTH / 2);
        CheckpointFiles files = cs.lockCheckpoint(group());
        try {
            Map<String, byte[]> before = read(files);
            execute(sm, LOG_LENGTH / 2, LOG_LENGTH);
            Map<String, byte[]> after = read(files);
            assertEquals(before.keySet(), after.keySet());
            for (String f : before.keySet())
                assertTrue(java.util.Arrays.equals(before.get(f), after.get(f)), "locked checkpoint file changed: " + f);
        } finally {
            cs.unlockCheckpoint(group());
        }
        CheckpointFiles second = cs.lockCheckpoint(group()); // unlocking allows the next transfer
        cs.unlockCheckpoint(group());
        assertTrue(second.instance() >= files.instance());
    }

    @Test
    void restoringACheckpointEqualsReplayAndNeverCoversHalfAnInstance() throws Exception {
        StateMachine source = fresh();
        CheckpointSupport cs = checkpointSupport(source);
        execute(source, 0, LOG_LENGTH / 2);
        CheckpointFiles files;
        Map<String, byte[]> content;
        // lock from another thread while execution goes on: the position is a whole instance
        Future<List<RecordingResults>> running = executionThread.submit(() -> executeHere(source, LOG_LENGTH / 2, LOG_LENGTH));
        files = cs.lockCheckpoint(group());
        try {
            content = read(files);
        } finally {
            cs.unlockCheckpoint(group());
        }
        running.get();
        assertTrue(files.instance() >= -1 && files.instance() < LOG_LENGTH, "checkpoint instance " + files.instance());

        StateMachine restored = install(content);
        assertEquals(files.instance(), restored.checkpointInstance(group()),
                "a restored checkpoint reports the position it was locked at");
        assertEquals(stateAt(files.instance()), state(restored),
                "the checkpoint holds every instance up to its position and nothing after it");
        execute(restored, files.instance() + 1, LOG_LENGTH);
        assertEquals(state(source), state(restored), "restore + replay equals the uninterrupted state");
    }

    @Test
    void anExecutionResultsIndexOutsideTheBatchIsRejectedByTheFake() {
        // guards the suite's own fake: a state machine completing a wrong index fails the tests above
        ExecutionBatch b = new ExecutionBatch(group(), 0, List.of(new Command(0, 3, new byte[0], Proposal.NO_MASTER_CONDITION)));
        RecordingResults r = new RecordingResults(b);
        assertThrows(IllegalArgumentException.class, () -> r.complete(2, "x"));
        r.complete(3, "first");
        r.complete(3, "second");
        assertEquals("first", r.byIndex().get(3));
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** A state machine opened on a new, empty directory. */
    protected final StateMachine fresh() throws Exception {
        return openAt(newDirectory());
    }

    /** The batch of instance {@code i} of the suite's log. */
    protected final ExecutionBatch batch(long i) {
        while (log.size() <= i) {
            int at = log.size();
            int commandsBefore = 0;
            for (ExecutionBatch b : log) commandsBefore += b.commands().size();
            int count = at % 4 == 3 ? 0 : 1 + at % 3; // every fourth instance carries nothing for us
            List<Command> commands = new ArrayList<>();
            for (int k = 0; k < count; k++) // other state machines' commands sit between ours
                commands.add(new Command(at, at % 2 + 2 * k, command(commandsBefore + k), Proposal.NO_MASTER_CONDITION));
            log.add(new ExecutionBatch(group(), at, commands));
        }
        return log.get((int) i);
    }

    /** Executes instances {@code [from, to)} of the log on the execution thread. */
    protected final List<RecordingResults> execute(StateMachine sm, long from, long to) throws Exception {
        return onExecutionThread(() -> executeHere(sm, from, to));
    }

    /** The state of a replica that executed exactly instances {@code [0, position]}. */
    private Object stateAt(long position) throws Exception {
        StateMachine reference = fresh();
        execute(reference, 0, position + 1);
        Object s = state(reference);
        closeQuietly(reference);
        return s;
    }

    private List<RecordingResults> executeHere(StateMachine sm, long from, long to) throws Exception {
        List<RecordingResults> all = new ArrayList<>();
        for (long i = from; i < to; i++) {
            RecordingResults r = new RecordingResults(batch(i));
            sm.execute(r.batch(), r);
            r.finish();
            all.add(r);
        }
        return all;
    }

    private Object state(StateMachine sm) throws Exception {
        return onExecutionThread(() -> state(sm, group()));
    }

    private <T> T onExecutionThread(java.util.concurrent.Callable<T> task) throws Exception {
        try {
            return executionThread.submit(task).get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
    }

    private Path newDirectory() throws Exception {
        return Files.createDirectories(root.resolve("replica-" + directories++));
    }

    private StateMachine openAt(Path dir) throws Exception {
        StateMachine sm = open(dir);
        opened.add(sm);
        return sm;
    }

    private StateMachine restart(StateMachine sm, Path dir) throws Exception {
        close(sm);
        opened.remove(sm);
        return openAt(dir);
    }

    private void closeQuietly(StateMachine sm) throws Exception {
        close(sm);
        opened.remove(sm);
    }

    /** As the engine installs: stop, replace the data directory with the files, start. */
    private StateMachine install(Map<String, byte[]> content) throws Exception {
        Path dir = newDirectory();
        StateMachine empty = openAt(dir);
        Path data = checkpointSupport(empty).dataDirectory(group());
        closeQuietly(empty);
        Trees.delete(data);
        for (Map.Entry<String, byte[]> f : content.entrySet()) {
            Path target = data.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, f.getValue());
        }
        return openAt(dir);
    }

    private static CheckpointSupport checkpointSupport(StateMachine sm) {
        assumeTrue(sm instanceof CheckpointSupport, "no CheckpointSupport");
        return (CheckpointSupport) sm;
    }

    private static Map<String, byte[]> read(CheckpointFiles files) throws Exception {
        Map<String, byte[]> content = new java.util.TreeMap<>();
        for (String f : files.files()) content.put(f, Files.readAllBytes(files.directory().resolve(f)));
        return content;
    }

    private static final class Trees {
        static void delete(Path dir) throws java.io.IOException {
            if (!Files.exists(dir)) return;
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }
}
