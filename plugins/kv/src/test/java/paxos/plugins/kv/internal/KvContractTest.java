package paxos.plugins.kv.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import paxos.api.statemachine.StateMachine;
import paxos.plugins.kv.KvCommand;
import paxos.testkit.StateMachineContract;

/** The state machine contract against the KV plugin (LevelDB per group, checkpoint copies). */
class KvContractTest extends StateMachineContract {
    @Override
    protected StateMachine open(Path dir) {
        return new KvStateMachine(dir);
    }

    @Override
    protected byte[] command(int n) {
        String key = "k" + n % 7;
        return (n % 5 == 4 ? KvCommand.delete(key) : KvCommand.put(key, ("v" + n).getBytes(StandardCharsets.UTF_8))).encode();
    }

    /** The data digest and the order-independent running digest together. */
    @Override
    protected Object state(StateMachine sm, int group) {
        KvStateMachine kv = (KvStateMachine) sm;
        return java.util.List.of(java.util.Arrays.toString(kv.dataDigest(group)), kv.digest(group, kv.checkpointInstance(group)));
    }
}
