package paxos.impl.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of checkpoint catch-up, validated on construction (a bad value fails with an
 * {@link IllegalArgumentException} naming it). Use {@link #defaults(Path)}.
 *
 * @param stagingDirectory where received checkpoints are written and verified before installing;
 *     on the same file system as the state machines' data directories (the install renames)
 * @param chunkBytes payload of one chunk message, {@code 4 KiB .. 8 MiB}; the engine lowers it to
 *     fit the transport's message limit
 * @param windowChunks chunks sent and not yet acknowledged, {@code 1..256}: with {@code chunkBytes},
 *     bounds the memory a transfer uses on either side
 * @param bytesPerSecondMax throttle of each outgoing transfer, {@code >= 64 KiB/s}
 * @param idleTimeoutMillis a transfer with no progress for this long is cancelled (and its
 *     checkpoint unlocked), {@code 100 .. 1 hour}
 * @param sendersMax checkpoints this node sends at once, {@code 1..64}; more requests are refused
 *     (the requester retries later)
 * @param compactedWindowMillis how long a peer's "compacted" answer counts when deciding that every
 *     reachable peer has deleted the needed log, {@code 100 .. 1 hour}
 * @param retryMillis pause before a failed transfer is tried again, {@code 10 .. 1 hour}
 * @param retentionPinMillis how long after sending a checkpoint the sender keeps the log above it,
 *     so the receiver can continue from the log, {@code 0 .. 1 day}
 * @param digestInterval state machine digests are taken and compared after every instance {@code i}
 *     with {@code i % digestInterval == digestInterval - 1}, {@code 1 .. 2^20}; it should agree
 *     cluster-wide: replicas compare digests only at instances where each took one, so a mismatch
 *     loses comparisons but never raises a false alarm (see {@link DigestExchange})
 */
public record CheckpointConfig(Path stagingDirectory, int chunkBytes, int windowChunks, long bytesPerSecondMax,
                               long idleTimeoutMillis, int sendersMax, long compactedWindowMillis, long retryMillis,
                               long retentionPinMillis, int digestInterval) {
    /** Validates. */
    public CheckpointConfig {
        Objects.requireNonNull(stagingDirectory, "stagingDirectory");
        if (chunkBytes < 4096 || chunkBytes > (8 << 20)) throw new IllegalArgumentException("chunkBytes must be 4 KiB .. 8 MiB: " + chunkBytes);
        if (windowChunks < 1 || windowChunks > 256) throw new IllegalArgumentException("windowChunks must be 1..256: " + windowChunks);
        if (bytesPerSecondMax < 65_536) throw new IllegalArgumentException("bytesPerSecondMax must be >= 65536: " + bytesPerSecondMax);
        if (idleTimeoutMillis < 100 || idleTimeoutMillis > 3_600_000)
            throw new IllegalArgumentException("idleTimeoutMillis must be 100..3600000: " + idleTimeoutMillis);
        if (sendersMax < 1 || sendersMax > 64) throw new IllegalArgumentException("sendersMax must be 1..64: " + sendersMax);
        if (compactedWindowMillis < 100 || compactedWindowMillis > 3_600_000)
            throw new IllegalArgumentException("compactedWindowMillis must be 100..3600000: " + compactedWindowMillis);
        if (retryMillis < 10 || retryMillis > 3_600_000) throw new IllegalArgumentException("retryMillis must be 10..3600000: " + retryMillis);
        if (retentionPinMillis < 0 || retentionPinMillis > 86_400_000)
            throw new IllegalArgumentException("retentionPinMillis must be 0..86400000: " + retentionPinMillis);
        if (digestInterval < 1 || digestInterval > (1 << 20))
            throw new IllegalArgumentException("digestInterval must be 1..1048576: " + digestInterval);
    }

    /** The default digest interval: one comparison per 1024 instances of a group. */
    public static final int DIGEST_INTERVAL_DEFAULT = 1024;

    /** 1 MiB chunks, 8 in flight, 200 MiB/s per transfer, 30 s idle timeout, 2 senders, digests every 1024 instances. */
    public static CheckpointConfig defaults(Path stagingDirectory) {
        return new CheckpointConfig(stagingDirectory, 1 << 20, 8, 200L << 20, 30_000, 2, 10_000, 2_000, 120_000,
                DIGEST_INTERVAL_DEFAULT);
    }

    /** A copy with another digest interval (tests use small ones). */
    public CheckpointConfig withDigestInterval(int v) {
        return new CheckpointConfig(stagingDirectory, chunkBytes, windowChunks, bytesPerSecondMax, idleTimeoutMillis, sendersMax,
                compactedWindowMillis, retryMillis, retentionPinMillis, v);
    }

    /** A copy with another throttle. */
    public CheckpointConfig withBytesPerSecondMax(long v) {
        return new CheckpointConfig(stagingDirectory, chunkBytes, windowChunks, v, idleTimeoutMillis, sendersMax,
                compactedWindowMillis, retryMillis, retentionPinMillis, digestInterval);
    }

    /** A copy with other chunking. */
    public CheckpointConfig withChunks(int bytes, int window) {
        return new CheckpointConfig(stagingDirectory, bytes, window, bytesPerSecondMax, idleTimeoutMillis, sendersMax,
                compactedWindowMillis, retryMillis, retentionPinMillis, digestInterval);
    }

    /** A copy with other timing. */
    public CheckpointConfig withTiming(long idleTimeoutMillis, long compactedWindowMillis, long retryMillis) {
        return new CheckpointConfig(stagingDirectory, chunkBytes, windowChunks, bytesPerSecondMax, idleTimeoutMillis, sendersMax,
                compactedWindowMillis, retryMillis, retentionPinMillis, digestInterval);
    }
}
