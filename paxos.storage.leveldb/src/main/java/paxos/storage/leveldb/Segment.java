package paxos.storage.leveldb;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One append-only segment file. Only the writer thread appends (to the newest segment); any
 * thread reads with positional reads. {@code size} is the end of the last whole record.
 */
final class Segment {
    final long id;
    final Path path;
    final FileChannel channel;
    final SegmentSummary summary = new SegmentSummary();
    volatile long size;

    private Segment(long id, Path path, FileChannel channel, long size) {
        this.id = id;
        this.path = path;
        this.channel = channel;
        this.size = size;
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

    /** Fills {@code buf} (from its position) with the bytes at {@code offset}. */
    void readFully(ByteBuffer buf, long offset) throws IOException {
        long at = offset - buf.position();
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at + buf.position());
            if (n < 0) throw new EOFException(path + ": " + buf.limit() + " bytes at offset " + offset + " run past the end");
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
