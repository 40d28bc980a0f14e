/**
 * The log storage SPI: where a node keeps its acceptor state and chosen values durably.
 * Implemented once in memory (engine tests, simulator) and once on append-only files with a
 * LevelDB index ({@code paxos.storage.leveldb}); the engine core never sees either.
 *
 * <p><b>Ranges</b> are half-open: {@code [from, to)}. Instance IDs are {@code >= 0}.
 *
 * <p><b>Durability contract.</b> When a stage returned by {@link paxos.api.spi.log.LogStore#append}
 * completes normally, every record of that call survives a crash of the process or the machine
 * (under {@link paxos.api.spi.log.SyncPolicy#SYNC}). The engine relies on it: an acceptor replies
 * to a prepare or accept only after the stage holding its promise or accept completed.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package paxos.api.spi.log;
