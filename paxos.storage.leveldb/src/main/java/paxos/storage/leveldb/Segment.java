package paxos.storage.leveldb;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One append-only segment file. Only the writer thread appends (to the newest segment); any
 * thread reads with positional reads. {@code size} is the end of the last whole record.
 *
 * <p>Reads go through a channel of their own, opened at the first read: a {@link FileChannel}
 * closes itself when a thread blocked in it is interrupted (a caller's timeout, a pool shut down
 * with {@code shutdownNow}), and on the writer's channel that would break every later append and
 * read of the file. Here the interrupted reader's own read fails, and the read channel is opened
 * again for the others.
 */
final class Segment {
    final long id;
    final Path path;
    /** The writer's channel (appends, fsync, truncation): used by the writer thread and recovery only. */
    final FileChannel channel;
    final SegmentSummary summary = new SegmentSummary();
    volatile long size;
    /** Readers' channel; null until the first read, or after an interrupt closed it. */
    private volatile FileChannel reads;
    private volatile boolean closed;

    private Segment(long id, Path path, FileChannel channel, long size) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** The readers' channel, opened if need be. */
    private FileChannel reads() throws IOException {
        FileChannel ch = reads;
        if (ch != null && ch.isOpen()) return ch;
        synchronized (this) {
            if (closed) throw new ClosedChannelException();
            ch = reads;
            if (ch == null || !ch.isOpen()) {
                ch = FileChannel.open(path, StandardOpenOption.READ);
                reads = ch;
            }
            return ch;
        }
    }

    /** Closes both channels for good (store closed, or segment deleted): later reads fail with ClosedChannelException. */
    void close() throws IOException {
        synchronized (this) {
            closed = true;
            FileChannel ch = reads;
            if (ch != null) ch.close();
        }
        channel.close();
    }

    static String fileName(long id) {
        return String.format("%020d.seg", id);
    }

    /** The id of a segment file name, or -1 if the name is not one. */
    static long idOf(String fileName) {
        if (!fileName.matches("\\d{20}\\.seg")) return -1;
        return Long.parseLong(fileName.substring(0, 20));
    }

    static Segment open(Path dir, long id) throws IOException {
        Path path = dir.resolve(fileName(id));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Segment(id, path, ch, ch.size());
    }

    /** Reads exactly {@code length} bytes at {@code offset}. */
    ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        readFully(buf, offset);
        return buf.flip();
    }

    /**
     * Fills {@code buf} (from its position) with the bytes at {@code offset}. Fails with
     * {@link ClosedByInterruptException} if this thread is interrupted meanwhile; a read that
     * another thread's interrupt cut short is tried once more on a fresh channel.
     */
    void readFully(ByteBuffer buf, long offset) throws IOException {
        long at = offset - buf.position();
        for (int attempt = 0; ; attempt++) {
            try {
                FileChannel ch = reads();
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, at + buf.position());
                    if (n < 0) throw new EOFException(path + ": " + buf.limit() + " bytes at offset " + offset + " run past the end");
                }
                return;
            } catch (ClosedByInterruptException e) {
                throw e; // this thread's interrupt: its read fails; the next read opens the channel again
            } catch (ClosedChannelException e) {
                if (closed || attempt > 0) throw e;
            }
        }
    }

    /** Writes the whole buffer at {@code offset}. */
    void write(ByteBuffer buf, long offset) throws IOException {
        long pos = offset;
        while (buf.hasRemaining()) pos += channel.write(buf, pos);
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
