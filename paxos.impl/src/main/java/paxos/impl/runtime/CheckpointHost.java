package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.api.statemachine.StateMachine;

/**
 * What the {@link CheckpointService} needs of its engine: the group runners (to read, rebuild
 * and replace) and the transport (peers, sending). Called on the checkpoint service's threads;
 * {@link #send} returns false once the engine is closed instead of throwing.
 */
final class CheckpointHost implements CheckpointService.Host {
    private final Supplier<GroupRunners> groups;
    private final Transport transport;
    private final BooleanSupplier closed;

    /**
     * @param groups the engine's runners (a supplier: they are built after the checkpoint service,
     *     which they need to record a completed install)
     */
    CheckpointHost(Supplier<GroupRunners> groups, Transport transport, BooleanSupplier closed) {
        this.groups = groups;
        this.transport = transport;
        this.closed = closed;
    }

    @Override
    public GroupRunner runner(int group) {
        return groups.get().get(group);
    }

    @Override
    public GroupRunner rebuild(int group, Map<Integer, StateMachine> machines) {
        return groups.get().build(group, machines);
    }

    @Override
    public void replace(int group, GroupRunner runner) {
        groups.get().replace(group, runner);
    }

    @Override
    public List<Integer> reachablePeers() {
        List<Integer> out = new ArrayList<>();
        for (PeerStatus p : transport.peers()) if (p.connected() && p.authenticated()) out.add(p.nodeId());
        return out;
    }

    @Override
    public boolean send(int toNode, int group, byte[] message) {
        return !closed.getAsBoolean() && transport.send(toNode, group, message);
    }

    @Override
    public int maxMessageBytes() {
        return transport.maxMessageBytes();
    }
}
