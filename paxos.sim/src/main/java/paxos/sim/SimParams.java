package paxos.sim;

import java.util.SplittableRandom;

/**
 * One run's shape and fault rates, all drawn from the seed (swarm testing: each seed stresses a
 * different mix). Times are in simulator time units; a node tick is about {@link #TICK_UNITS}.
 *
 * @param nodes 3 or 5
 * @param groups groups per node
 * @param clientsPerGroup concurrent client proposers per group
 * @param tickUnits per node: its tick period (clock skew)
 * @param lossPermille message loss while faults are on
 * @param duplicatePermille message duplication while faults are on
 * @param delayUnitsMax largest ordinary delivery delay
 * @param longDelayPermille share of messages delayed up to 20 ticks (reordering)
 * @param fsyncUnitsMax largest simulated fsync latency
 * @param crashPermillePerTick chance per tick that some node crashes
 * @param partitionPermillePerTick chance per tick that the network partitions
 * @param windowMax pipelining window of every core
 * @param batchCountMax batch size bound of every core
 * @param batchDelayTicks batching delay of every core
 * @param faultTicks how long faults run before the liveness phase
 * @param heartbeatTicks leader heartbeat interval of every core
 * @param electionTimeoutTicks election timeout of every core
 * @param replyEntriesMax promise and catch-up reply bound (small values exercise truncation)
 * @param masterPermille share of client proposals that are master claims or master-conditional
 * @param pipelinedReadies no longer used (the production runtime always overlaps Readies up to the core's bound); still drawn so that seeds keep their other parameters
 * @param followers how many of the highest-numbered nodes are non-voting members (learn only)
 * @param retention log retention: every {@code compactEveryTicks} a node checkpoints its state
 *     machines and deletes its log below {@code executed - retention}; {@code 0}: never
 * @param compactEveryTicks how often a node compacts (when {@code retention > 0})
 * @param longOutagePermille share of crashes that keep the node down 150–450 ticks (long enough
 *     to fall behind every peer's retained log); if not {@code 0}, one such outage is also forced
 *     early in the fault phase
 * @param installTicks how long a checkpoint install takes (the window for crashes during it)
 * @param installCrashPermille chance that a node crashes in the middle of a checkpoint install
 * @param versionPermille share of client proposals that activate a state machine version
 *     ({@code v1..v3}); every node starts with {@code v1} and installs {@code v2}, {@code v3} at
 *     times of its own (so a replica may lack the activated version for a while); {@code 0}: the
 *     automatic first activation only
 */
public record SimParams(int nodes, int groups, int clientsPerGroup, int[] tickUnits, int lossPermille,
                        int duplicatePermille, int delayUnitsMax, int longDelayPermille, int fsyncUnitsMax,
                        int crashPermillePerTick, int partitionPermillePerTick, int windowMax, int batchCountMax,
                        int batchDelayTicks, int faultTicks, int heartbeatTicks, int electionTimeoutTicks,
                        int replyEntriesMax, int masterPermille, boolean pipelinedReadies,
                        int followers, int retention, int compactEveryTicks, int longOutagePermille, int installTicks,
                        int installCrashPermille, int versionPermille) {
    /** Nominal length of one tick in time units. */
    public static final int TICK_UNITS = 10;
    /** Ticks after healing within which every pending proposal completes and replicas converge. */
    public static final int LIVENESS_TICKS = 2_000;
    /** A client gives up on a proposal (outcome unknown) after this many ticks. */
    public static final int CLIENT_TIMEOUT_TICKS = 300;

    /** Draws everything from {@code random}. */
    static SimParams draw(SplittableRandom random) {
        int nodes = random.nextBoolean() ? 3 : 5;
        int[] ticks = new int[nodes + 1];
        for (int n = 1; n <= nodes; n++) ticks[n] = TICK_UNITS - 3 + random.nextInt(7);
        return new SimParams(nodes, 1 + random.nextInt(3), 1 + random.nextInt(4), ticks,
                pick(random, 0, 0, 20, 100, 300), pick(random, 0, 0, 10, 50), 1 + random.nextInt(30),
                pick(random, 0, 5, 30), 1 + random.nextInt(pick(random, 10, 40, 150)), pick(random, 0, 2, 10, 30, 80), pick(random, 0, 3, 15),
                1 + random.nextInt(16), 1 + random.nextInt(8), random.nextInt(3), 300 + random.nextInt(400),
                2 + random.nextInt(3), 10 + random.nextInt(20), pick(random, 1, 2, 4, 16), pick(random, 0, 100, 300),
                random.nextBoolean(), nodes == 5 && random.nextInt(3) == 0 ? 1 : 0,
                random.nextInt(4) == 0 ? 0 : 5 + random.nextInt(26), 5 + random.nextInt(40), pick(random, 0, 300, 600),
                1 + random.nextInt(10), pick(random, 0, 100, 300), pick(random, 0, 20, 80));
    }

    private static int pick(SplittableRandom random, int... choices) {
        return choices[random.nextInt(choices.length)];
    }

    @Override
    public String toString() {
        return "nodes=" + nodes + " groups=" + groups + " clients/group=" + clientsPerGroup + " lossPermille=" + lossPermille
                + " dupPermille=" + duplicatePermille + " crashPermillePerTick=" + crashPermillePerTick + " partitionPermillePerTick="
                + partitionPermillePerTick + " window=" + windowMax + " batchCountMax=" + batchCountMax + " heartbeat=" + heartbeatTicks
                + " election=" + electionTimeoutTicks + " replyEntriesMax=" + replyEntriesMax + " masterPermille="
                + masterPermille + " pipelinedReadies=" + pipelinedReadies + " followers=" + followers + " faultTicks=" + faultTicks
                + " retention=" + retention + " compactEvery=" + compactEveryTicks + " longOutagePermille=" + longOutagePermille
                + " installCrashPermille=" + installCrashPermille + " versionPermille=" + versionPermille;
    }
}
