/**
 * The durable Paxos log: append-only segment files holding every record, an iq80 LevelDB index
 * (group, instance) -> (segment, offset, CRC), and group commit. Entry point:
 * {@link paxos.storage.leveldb.LevelDbLogStore}, configured by
 * {@link paxos.storage.leveldb.LevelDbStoreConfig}; usable without OSGi. Everything else in the
 * package is package-private.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.storage.leveldb;
