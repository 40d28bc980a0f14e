package paxos.node.tool;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import paxos.api.statemachine.StateMachine;
import paxos.testkit.StateMachineContract;

/** The state machine contract against both checksum state machines of the embedded node's tools. */
class ChecksumContractTest {
    private static byte[] value(int n) {
        return ("command " + n).getBytes(StandardCharsets.UTF_8);
    }

    /** The file-backed one: durable, checkpoints, digest. */
    @org.junit.jupiter.api.Nested
    class FileBacked extends StateMachineContract {
        @Override
        protected StateMachine open(Path dir) throws Exception {
            return FileChecksumStateMachine.open(dir, 1_000, 0);
        }

        @Override
        protected byte[] command(int n) {
            return value(n);
        }

        @Override
        protected Object state(StateMachine sm, int group) {
            return ((FileChecksumStateMachine) sm).snapshot();
        }
    }

    /** The in-memory one: no durable state, so every restart replays from the start. */
    @org.junit.jupiter.api.Nested
    class InMemory extends StateMachineContract {
        @Override
        protected StateMachine open(Path dir) {
            return new ChecksumStateMachine(1_000);
        }

        @Override
        protected byte[] command(int n) {
            return value(n);
        }
    }
}
