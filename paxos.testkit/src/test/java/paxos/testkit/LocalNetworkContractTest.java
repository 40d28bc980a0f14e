package paxos.testkit;

import java.util.List;
import paxos.api.spi.transport.Transport;

/** The in-memory network of the engine tests keeps the transport contract. */
class LocalNetworkContractTest extends TransportContract {
    @Override
    protected Cluster cluster(List<Integer> nodeIds) {
        LocalNetwork network = new LocalNetwork(nodeIds);
        // in memory, belonging to the cluster means being on its network: an impostor is on another
        LocalNetwork elsewhere = new LocalNetwork(nodeIds);
        return new Cluster() {
            @Override
            public Transport create(int nodeId) {
                return network.transport(nodeId);
            }

            @Override
            public Transport impostor(int nodeId) {
                return elsewhere.transport(nodeId);
            }

            @Override
            public void close() {
                try {
                    network.close();
                    elsewhere.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
