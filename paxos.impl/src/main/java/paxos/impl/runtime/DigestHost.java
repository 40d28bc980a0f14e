package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@link DigestExchange} needs of the {@link Engine}: its peers, runners and checkpoint service. */
final class DigestHost implements DigestExchange.Host {
    private final Engine engine;

    DigestHost(Engine engine) {
        this.engine = engine;
    }

    @Override
    public int self() {
        return engine.config().nodeId();
    }

    /** The transport's peers: they follow the memberships of the logs, not the configured bootstrap list. */
    @Override
    public List<Integer> peers() {
        List<Integer> out = new ArrayList<>();
        for (paxos.api.PeerInfo p : engine.peers()) if (p.nodeId() != self()) out.add(p.nodeId());
        return out;
    }

    @Override
    public java.util.Collection<Integer> members(int group) {
        return engine.membership(group).members().stream().map(paxos.api.Member::nodeId).toList();
    }

    @Override
    public boolean send(int toNode, int group, byte[] message) {
        return engine.sendRuntime(toNode, group, message);
    }

    @Override
    public Map<Integer, DigestExchange.Presence> localMachines(int group) {
        GroupRunner r = engine.runnerOf(group);
        Map<Integer, DigestExchange.Presence> out = new TreeMap<>();
        if (r == null) return out;
        List<Integer> waiting = r.waitingFor();
        Map<Integer, String> failed = r.failedMachines();
        r.registered().forEach((id, reg) -> {
            String state = r.failure() != null || failed.containsKey(id) ? "FAILED"
                    : waiting.contains(id) ? "WAITING" : "RUNNING";
            if (engine.digests().diverged(group, id)) state = "DIVERGED";
            out.put(id, new DigestExchange.Presence(reg.version(), state));
        });
        return out;
    }

    @Override
    public void stopExecuting(int group, int id, Runnable then) {
        GroupRunner r = engine.runnerOf(group);
        if (r != null) r.stopExecuting(id, then);
    }

    @Override
    public boolean pull(int group, int peer, long needFrom, String why) {
        return engine.checkpointService().pull(group, peer, needFrom, why);
    }

    @Override
    public boolean catchingUp(int group) {
        return engine.checkpointService().catchingUp(group);
    }

    @Override
    public TransferStatus installEndedSince(int group, long sinceMillis) {
        for (TransferStatus t : engine.transfers()) {
            if (t.group() == group && "receive".equals(t.direction()) && t.outcome() != null && t.startedMillis() >= sinceMillis)
                return t;
        }
        return null;
    }
}
