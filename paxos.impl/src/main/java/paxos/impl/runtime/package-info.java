/**
 * The concurrency shell around the pure core: one serial event loop and one serial execution
 * queue per group, the log store's group commit, the transport, timeouts. Private to the engine.
 */
package paxos.impl.runtime;
