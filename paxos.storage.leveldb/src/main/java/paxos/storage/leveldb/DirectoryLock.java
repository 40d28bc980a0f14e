package paxos.storage.leveldb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import paxos.api.spi.log.LogUnavailableException;

/**
 * The exclusive hold of a data directory: an OS file lock on {@code LOCK}, which the OS releases
 * when the process dies (also by SIGKILL), so a stale file never blocks a restart. The file
 * holds the owner's PID for the error message.
 */
final class DirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DirectoryLock acquire(Path dir) {
        Path file = dir.resolve("LOCK");
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new LogUnavailableException("cannot create lock file " + file + ": " + e, e);
        }
        FileLock lock = null;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another store in this JVM
        } catch (IOException e) {
            closeQuietly(ch);
            throw new LogUnavailableException("cannot lock " + file + ": " + e, e);
        }
        if (lock == null) {
            String owner = owner(file);
            closeQuietly(ch);
            throw new LogUnavailableException("data directory " + dir + " is in use by another store (lock file "
                    + file + " held" + owner + "); stop it first");
        }
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // the PID is only for messages
        }
        return new DirectoryLock(ch, lock);
    }

    private static String owner(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " by process " + pid;
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }
}
