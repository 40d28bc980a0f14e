/**
 * The node's health checks ({@link paxos.impl.health.HealthChecks}), computed from what
 * {@link paxos.api.PaxosNode} exposes and the data directory's file system; free of OSGi so that
 * the embedded node and its tests use the same checks as {@code GET /paxos/health}. Exported for
 * those hosts; not an API for plugins.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.impl.health;
