package paxos.storage.leveldb;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * The background thread that writes sealed {@link Overlay} generations to LevelDB, one bulk write
 * each, off the writer's fsync path. A failed commit (LevelDB error, full disk) keeps the
 * generation in the overlay and is retried every second with one WARNING a minute; meanwhile the
 * overlay fills up to its bound and then the writer refuses appends with the failure as the cause.
 * {@link #stop()} makes it commit what is sealed and end.
 */
final class IndexCommitter implements Runnable {
    private static final System.Logger LOG = System.getLogger(IndexCommitter.class.getName());
    private static final long RETRY_MILLIS = 1_000;

    private final Index index;
    private final Stats stats;
    private volatile Throwable failure;
    private long lastWarningNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

    IndexCommitter(Index index, Stats stats) {
        this.index = index;
        this.stats = stats;
    }

    /** Why the last commit failed, or {@code null} if it succeeded. */
    Throwable failure() {
        return failure;
    }

    /** Commits what is sealed, then ends. */
    void stop() {
        index.overlay().stop();
    }

    @Override
    public void run() {
        Overlay overlay = index.overlay();
        while (true) {
            Overlay.Generation g;
            try {
                g = overlay.awaitSealed(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (g == null) {
                if (overlay.stopped()) return;
                continue;
            }
            try {
                stats.indexBytesWritten.addAndGet(index.commit(g));
                failure = null;
            } catch (Error e) {
                failure = e;
                LOG.log(Level.ERROR, "index committer died; appends are refused once the overlay is full: " + e, e);
                return;
            } catch (Exception e) {
                failure = e;
                if (System.nanoTime() - lastWarningNanos > TimeUnit.MINUTES.toNanos(1)) {
                    lastWarningNanos = System.nanoTime();
                    LOG.log(Level.WARNING, "index commit to LevelDB failed (the records are durable in the segment"
                            + " files; retrying every second): " + e);
                }
                if (overlay.stopped()) return; // the next open replays the files after the watermark
                try {
                    overlay.awaitChange(RETRY_MILLIS); // back-off; stop() cuts it short
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
