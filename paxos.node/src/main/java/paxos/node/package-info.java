/**
 * The embeddable node: a plain-Java Paxos node built from a {@link paxos.node.NodeConfig}, with
 * the log storage and transport passed in (LevelDB and Netty in production, in-memory ones in
 * tests). What tests, benchmarks and users who do not want OSGi use; the OSGi component wraps
 * the same class.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.node;
