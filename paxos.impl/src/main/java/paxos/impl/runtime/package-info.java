/**
 * The concurrency shell around the pure core: one serial event loop and one serial execution
 * queue per group, the log store's group commit, the transport, timeouts. Exported for the
 * hosts that build an {@link paxos.impl.runtime.Engine} from an
 * {@link paxos.impl.runtime.EngineConfig}, a log store and a transport: the embedded node
 * ({@code paxos.node}) and the OSGi component of this bundle. Not an API for plugins.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.impl.runtime;
