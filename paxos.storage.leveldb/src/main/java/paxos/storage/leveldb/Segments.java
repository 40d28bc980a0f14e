package paxos.storage.leveldb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segment files of a data directory, by id. The writer adds, the cleaner removes, readers
 * look up; all concurrently.
 */
final class Segments implements AutoCloseable {
    private final Path dir;
    private final ConcurrentSkipListMap<Long, Segment> byId = new ConcurrentSkipListMap<>();

    private Segments(Path dir) {
        this.dir = dir;
    }

    static Segments open(Path dir) throws IOException {
        Segments s = new Segments(dir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path f : files) {
                long id = Segment.idOf(f.getFileName().toString());
                if (id > 0) s.byId.put(id, Segment.open(dir, id));
            }
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    Segment get(long id) {
        return byId.get(id);
    }

    /** The newest segment (the one appended to), or {@code null} if there is none yet. */
    Segment newest() {
        var e = byId.lastEntry();
        return e == null ? null : e.getValue();
    }

    List<Segment> all() {
        return new ArrayList<>(byId.values());
    }

    /** Creates the next segment file and makes its directory entry durable. */
    Segment createNext() throws IOException {
        Segment last = newest();
        long id = last == null ? 1 : last.id + 1;
        Segment s = Segment.open(dir, id);
        syncDirectory();
        byId.put(id, s);
        return s;
    }

    /** Deletes a segment file; later reads of it fail with ClosedChannelException. */
    void delete(Segment s) throws IOException {
        byId.remove(s.id);
        s.close();
        Files.deleteIfExists(s.path);
        syncDirectory();
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems refuse to open directories; the data files are synced regardless
        }
    }

    @Override
    public void close() {
        for (Segment s : byId.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing for shutdown
            }
        }
    }
}
