/**
 * What every state machine plugin needs besides its state machine: front-end registration and
 * its data directory ({@link paxos.plugin.support.PluginRegistrations}). See the sub-packages for
 * the LevelDB group store, HTTP plumbing and JSON.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugin.support;
