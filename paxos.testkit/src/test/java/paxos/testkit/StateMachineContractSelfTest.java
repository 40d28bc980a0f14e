package paxos.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * The suite itself: a correct file-backed counter passes it, and each broken variant fails the
 * test that names its fault. (The variants are nested classes, which surefire does not run.)
 */
class StateMachineContractSelfTest {

    /** A sum of the commands' numbers in one file {@code "<instance> <sum>"}, replaced atomically per instance. */
    static class Sum implements StateMachine {
        final Path file;
        final boolean checkPosition;
        final int indexShift;

        Sum(Path dir, boolean checkPosition, int indexShift) {
            this.file = dir.resolve("sum");
            this.checkPosition = checkPosition;
            this.indexShift = indexShift;
        }

        long[] read() throws IOException {
            if (!Files.exists(file)) return new long[] {-1, 0};
            String[] w = Files.readString(file).split(" ");
            return new long[] {Long.parseLong(w[0]), Long.parseLong(w[1])};
        }

        @Override
        public void execute(ExecutionBatch batch, ExecutionResults results) throws IOException {
            long[] s = read();
            if (checkPosition && batch.instance() <= s[0]) return;
            for (Command c : batch.commands()) {
                s[1] += Long.parseLong(new String(c.value(), StandardCharsets.UTF_8));
                results.complete(c.index() + indexShift, s[1]);
            }
            // replaced atomically: checkpointInstance reads it concurrently (a plain rewrite fails
            // checkpointInstanceMayBeReadWhileExecuting: a reader sees the truncated file)
            Path temp = file.resolveSibling("sum.tmp");
            Files.writeString(temp, batch.instance() + " " + s[1]);
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public long checkpointInstance(int group) {
            try {
                return read()[0];
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    abstract static class SumContract extends StateMachineContract {
        @Override
        protected byte[] command(int n) {
            return Integer.toString(n + 1).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        protected Object state(StateMachine sm, int group) {
            try {
                return ((Sum) sm).read()[1];
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static class Correct extends SumContract {
        @Override
        protected StateMachine open(Path dir) {
            return new Sum(dir, true, 0);
        }
    }

    static class NotIdempotent extends SumContract {
        @Override
        protected StateMachine open(Path dir) {
            return new Sum(dir, false, 0);
        }
    }

    static class WrongIndex extends SumContract {
        @Override
        protected StateMachine open(Path dir) {
            return new Sum(dir, true, 1);
        }
    }

    private static Set<String> failures(Class<?> suite) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        Set<String> failed = new TreeSet<>();
        listener.getSummary().getFailures().forEach(f -> failed.add(f.getTestIdentifier().getDisplayName()));
        return failed;
    }

    @Test
    void aCorrectStateMachinePasses() {
        assertEquals(Set.of(), failures(Correct.class));
    }

    @Test
    void reExecutingReplayedInstancesIsCaught() {
        assertEquals(Set.of("replayingEarlierInstancesChangesNothing()"), failures(NotIdempotent.class));
    }

    @Test
    void resultsForIndexesOutsideTheBatchAreCaught() {
        Set<String> failed = failures(WrongIndex.class);
        assertEquals(true, failed.contains("resultsGoOnlyToTheBatchsIndexesAndNeverAfterTheCall()"), failed.toString());
    }
}
