/** The config plugin's implementation: LevelDB store, state machine, ConfigAdmin bridge, REST, Gogo. Not exported. */
package paxos.plugins.config.internal;
