package paxos.plugins.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposal;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.plugins.config.ConfigCommand;

/** Replicas of the config store that executed the same commands give the same digest; others do not. */
class ConfigDigestTest {
    @TempDir Path dir;

    private static final ExecutionResults IGNORED = new ExecutionResults() {
        @Override public void complete(int index, Object result) { }
        @Override public boolean isAwaited(int index) { return false; }
    };

    private static void run(ConfigStateMachine sm, long instance, ConfigCommand c) {
        sm.execute(new ExecutionBatch(0, instance, List.of(new Command(instance, 0, c.encode(), Proposal.NO_MASTER_CONDITION))), IGNORED);
    }

    @Test
    void equalCommandsEqualDigests() throws Exception {
        try (ConfigStateMachine a = new ConfigStateMachine(dir.resolve("a")); ConfigStateMachine b = new ConfigStateMachine(dir.resolve("b"))) {
            run(a, 0, ConfigCommand.put("pid.a", Map.of("k", "v")));
            run(b, 0, ConfigCommand.put("pid.a", Map.of("k", "v")));
            assertEquals(a.digest(0, 0), b.digest(0, 0));
            run(a, 1, ConfigCommand.put("pid.a", Map.of("k", "w")));
            run(b, 1, ConfigCommand.put("pid.a", Map.of("k", "x")));
            assertNotEquals(a.digest(0, 1), b.digest(0, 1));
        }
    }
}
