package paxos.impl.log;

import paxos.api.spi.log.LogStore;
import paxos.testkit.LogStoreContract;

/** The SPI contract against the in-memory store. */
class InMemoryLogStoreContractTest extends LogStoreContract {
    @Override
    protected LogStore createStore() {
        return new InMemoryLogStore(64 * 1024);
    }

    @Override
    protected LogStore reopenStore(LogStore store) {
        return ((InMemoryLogStore) store).reopen();
    }
}
