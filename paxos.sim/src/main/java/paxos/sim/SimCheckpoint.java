package paxos.sim;

import paxos.api.MasterInfo;

/**
 * A checkpoint of one group's simulated state machine: what it stands for is the executed
 * sequence of instances {@code 0..position}, summarized by the state machine's running digest
 * (see {@link Oracle#digest}), plus what the executor needs to resume at {@code position + 1}.
 * Immutable; sent between nodes as a whole (the file transfer itself is not simulated).
 *
 * @param group the group
 * @param position the last instance the state covers ({@code >= 0})
 * @param digest the state machine's digest after executing {@code position}
 * @param master the master in force after {@code position}
 * @param leaseEntry the latest successful claim or renewal at or before {@code position}
 * @param versions the state machine versions in force after {@code position}
 * @param executedRequests the executor's executed-requests table after {@code position} (as the
 *     production checkpoint metadata carries it)
 */
record SimCheckpoint(int group, long position, long digest, MasterInfo master, long leaseEntry,
                     java.util.Map<Integer, String> versions,
                     java.util.Map<Integer, ? extends java.util.Map<Long, Long>> executedRequests) {
    SimCheckpoint {
        if (position < 0) throw new IllegalArgumentException("position must be >= 0: " + position);
        versions = java.util.Map.copyOf(versions);
        executedRequests = new paxos.impl.exec.RequestDedup(executedRequests).entries();
    }
}
