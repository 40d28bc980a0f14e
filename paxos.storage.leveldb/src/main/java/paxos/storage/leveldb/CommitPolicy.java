package paxos.storage.leveldb;

/**
 * When the index overlay goes to LevelDB and how much of it may wait: a generation is sealed for
 * its commit once it holds {@code commitEntries} entries or is {@code commitMillis} old (or the
 * writer was idle that long), and the overlay holds at most {@code maxEntries} (both generations;
 * 91 bytes of heap each, measured). Package-private: production uses {@link #DEFAULT}; the crash test
 * also runs with tiny values so that kills hit commits in progress.
 */
record CommitPolicy(int commitEntries, long commitMillis, int maxEntries) {
    /** 16,384 entries or one second; at most 131,072 entries (11.4 MiB of heap). */
    static final CommitPolicy DEFAULT = new CommitPolicy(16_384, 1_000, 131_072);

    CommitPolicy {
        if (commitEntries < 1 || commitMillis < 1 || maxEntries < 2 * commitEntries) {
            throw new IllegalArgumentException("bad commit policy: " + commitEntries + ", " + commitMillis + ", " + maxEntries);
        }
    }
}
