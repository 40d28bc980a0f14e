package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.internal.KvStateMachine;

/**
 * The seed's BatchPropose/CPID problem: a KV state machine executing batched instances is killed
 * (SIGKILL, a real child process) while it executes; after restart its checkpoint position is
 * before or after each whole instance, never inside one: every key of every instance up to the
 * position is there, no key of a later instance is.
 */
class ExactPositionCrashTest {
    static final int COMMANDS_PER_INSTANCE = 16;
    static final int GROUP = 0;
    @TempDir Path dir;

    /** The child: executes batched instances forever from its position, printing progress. */
    public static void main(String[] args) throws Exception {
        KvStateMachine kv = new KvStateMachine(Path.of(args[0]));
        ExecutionResults ignore = new ExecutionResults() {
            @Override public void complete(int index, Object result) {}
            @Override public boolean isAwaited(int index) { return false; }
        };
        byte[] value = new byte[2000]; // large enough that a batch spans several LevelDB log blocks
        for (long instance = kv.checkpointInstance(GROUP) + 1; ; instance++) {
            List<Command> commands = new ArrayList<>();
            for (int k = 0; k < COMMANDS_PER_INSTANCE; k++)
                commands.add(new Command(instance, k, KvCommand.put(key(instance, k), value).encode(), -1));
            kv.execute(new ExecutionBatch(GROUP, instance, commands), ignore);
            if (instance % 50 == 0) {
                System.out.println(instance);
                System.out.flush();
            }
        }
    }

    static String key(long instance, int k) {
        return "i" + instance + "-" + k;
    }

    @Test
    void aKillDuringExecuteNeverLeavesAPositionInsideAnInstance() throws Exception {
        Path data = dir.resolve("kv");
        long reached = -1;
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ExactPositionCrashTest.class.getName(), data.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                long target = reached + 200 + round * 37L; // kill at different points
                String line;
                while ((line = out.readLine()) != null && Long.parseLong(line.trim()) < target) { /* executing */ }
                p.destroyForcibly(); // SIGKILL while it executes
                p.waitFor(30, TimeUnit.SECONDS);
            }
            try (KvStateMachine kv = new KvStateMachine(data)) {
                long position = kv.checkpointInstance(GROUP);
                assertTrue(position > reached, "progress in round " + round);
                for (long i = Math.max(0, position - 5); i <= position; i++)
                    for (int k = 0; k < COMMANDS_PER_INSTANCE; k++)
                        assertTrue(kv.get(GROUP, key(i, k)).isPresent(), "key " + key(i, k) + " of an instance at or below " + position);
                for (int k = 0; k < COMMANDS_PER_INSTANCE; k++)
                    assertEquals(false, kv.get(GROUP, key(position + 1, k)).isPresent(),
                            "key " + key(position + 1, k) + " of the instance after position " + position);
                reached = position;
            }
        }
    }
}
