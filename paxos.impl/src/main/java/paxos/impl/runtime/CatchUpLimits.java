package paxos.impl.runtime;

import java.util.Locale;
import paxos.impl.core.GroupCore;

/**
 * The bounds log catch-up keeps, in one line for benchmarks and operators: what a lagging node
 * asks for and holds, and what a serving node queues for it (see {@link CatchUpServer} and
 * {@code GroupRunner}). A description, not settings: they are constants.
 */
public final class CatchUpLimits {
    private CatchUpLimits() {}

    /** E.g. {@code learner: 8 requests of ~256 KiB outstanding, ...}. */
    public static String describe() {
        return String.format(Locale.ROOT, "learner: %d requests of ~%d KiB outstanding, new ones held above %d MiB not yet "
                        + "written or executed (%d MiB on the node's disk queue), replies dropped above %d MiB (%d MiB); "
                        + "server: one read at a time and at most %d waiting per learner, "
                        + "reads start below %d MiB queued for the learner and %d MiB for all",
                GroupCore.CATCH_UP_REQUESTS_MAX, GroupCore.CATCH_UP_REQUEST_BYTES >> 10,
                GroupRunner.CATCH_UP_REQUEST_HOLD_BYTES >> 20, GroupRunner.NODE_WRITING_HOLD_BYTES >> 20,
                GroupRunner.CATCH_UP_HOLD_BYTES_MAX >> 20, GroupRunner.NODE_WRITING_DROP_BYTES >> 20,
                CatchUpServer.LEARNER_READS_MAX, CatchUpServer.PEER_QUEUED_BYTES_MAX >> 20,
                CatchUpServer.TOTAL_QUEUED_BYTES_MAX >> 20);
    }
}
