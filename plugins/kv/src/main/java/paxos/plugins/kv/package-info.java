/**
 * The KV plugin's public types: the command encoding clients propose and the results they get
 * back. A key-value store with per-key versions and compare-and-set, replicated through a
 * Paxos group.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugins.kv;
