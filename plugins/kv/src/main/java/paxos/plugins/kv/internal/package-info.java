/** The KV plugin's implementation: per-group LevelDB stores, the state machine. Not exported. */
package paxos.plugins.kv.internal;
