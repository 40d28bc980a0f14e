package paxos.storage.leveldb;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A test seam on the writer's file operations: called right before each segment write and fsync,
 * it may throw to inject a fault (a full disk, a failing device, an {@link Error}). Production
 * uses {@link #NONE}; tests in this package pass their own through the package-private
 * {@link LevelDbLogStore} constructor. Called on the writer thread only.
 */
interface IoHook {
    IoHook NONE = new IoHook() {};

    /** Before {@code bytes} are written to {@code file}. */
    default void beforeWrite(Path file, int bytes) throws IOException {}

    /** Before {@code file} is forced to the device. */
    default void beforeForce(Path file) throws IOException {}
}
