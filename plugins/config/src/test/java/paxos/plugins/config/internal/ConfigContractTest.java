package paxos.plugins.config.internal;

import java.nio.file.Path;
import java.util.Map;
import paxos.api.statemachine.StateMachine;
import paxos.plugins.config.ConfigCommand;
import paxos.testkit.StateMachineContract;

/** The state machine contract against the replicated configuration plugin. */
class ConfigContractTest extends StateMachineContract {
    @Override
    protected StateMachine open(Path dir) {
        return new ConfigStateMachine(dir);
    }

    @Override
    protected byte[] command(int n) {
        String pid = "pid." + n % 5;
        return (n % 6 == 5 ? ConfigCommand.delete(pid) : ConfigCommand.put(pid, Map.of("n", (long) n))).encode();
    }

    @Override
    protected Object state(StateMachine sm, int group) {
        ConfigStateMachine config = (ConfigStateMachine) sm;
        return java.util.List.of(config.versions(group), config.checksum(group));
    }
}
