/**
 * The in-memory {@link paxos.api.spi.log.LogStore} for engine tests and the simulator:
 * {@link paxos.impl.log.InMemoryLogStore}.
 */
package paxos.impl.log;
