/** The OSGi Declarative Services component of the LevelDB log store; private to the bundle. */
package paxos.storage.leveldb.osgi;
