/**
 * Durable state for a state machine plugin: a LevelDB store per group whose position is written
 * atomically with the effects of each instance ({@link paxos.plugin.support.store.GroupStore}), a
 * base class that keeps one per group and ships them as checkpoints
 * ({@link paxos.plugin.support.store.GroupStoreStateMachine}), and a delegate for DS components.
 * iq80 LevelDB is imported from the {@code paxos.leveldb} bundle (the one copy on a node); the types
 * here do not expose it, so a plugin needs no LevelDB import of its own.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugin.support.store;
