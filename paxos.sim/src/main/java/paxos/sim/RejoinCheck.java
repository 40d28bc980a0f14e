package paxos.sim;

import paxos.impl.core.GroupCore;

/**
 * The "no disruptive rejoin" oracle, run once per seed after the cluster converged (quiet
 * network, every node up): one voter is cut off for {@link #CUT_ELECTIONS} election timeouts,
 * then healed; {@link #SETTLE_ELECTIONS} election timeouts later every group whose leader at the
 * heal was on the majority side must still have that leader at the same ballot. Each group that changed
 * is one leader change caused by the heal; any is a violation. The cut-off node's own groups
 * change leader legitimately and are not counted, and so do groups whose other voters are no quorum
 * (membership changes may leave two voters) and groups led by a node a change demoted or removed.
 */
final class RejoinCheck {
    static final int CUT_ELECTIONS = 8;
    static final int SETTLE_ELECTIONS = 8;

    private final Simulation sim;
    private int victim;
    private int[] leaderBefore;
    private long[] ballotBefore;
    /** Leader changes the heal caused ({@code -1}: the check has not finished). */
    int changes = -1;

    RejoinCheck(Simulation sim) {
        this.sim = sim;
    }

    /** Cuts a voter off and schedules the heal and the verdict; returns the time units it takes. */
    long start(Runnable done) {
        SimParams p = sim.params;
        int voters = p.nodes() - p.followers();
        victim = 1 + sim.random.nextInt(voters);
        long election = (long) p.electionTimeoutTicks() * (SimParams.TICK_UNITS + 3);
        long cut = CUT_ELECTIONS * election, settle = SETTLE_ELECTIONS * election;
        sim.network.isolate(victim);
        sim.after(cut, () -> {
            // the leaders as the heal finds them: a change during the cut (e.g. an election the
            // majority had begun before it) is not the heal's doing
            leaderBefore = new int[p.groups()];
            ballotBefore = new long[p.groups()];
            for (int g = 0; g < p.groups(); g++) {
                leaderBefore[g] = leader(g);
                ballotBefore[g] = leaderBefore[g] == 0 ? 0 : sim.nodes[leaderBefore[g]].core(g).ballot();
            }
            sim.network.heal();
        });
        sim.after(cut + settle, () -> {
            verdict();
            done.run();
        });
        return cut + settle;
    }

    private void verdict() {
        changes = 0;
        StringBuilder which = new StringBuilder();
        for (int g = 0; g < leaderBefore.length; g++) {
            // a leader the membership in force no longer lists as voter steps down anyway (a lame duck)
            if (leaderBefore[g] == 0 || leaderBefore[g] == victim || !quorumWithout(g)
                    || !sim.nodes[leaderBefore[g]].core(g).isVoterNow()) continue;
            int now = leader(g);
            if (now != leaderBefore[g] || sim.nodes[now].core(g).ballot() != ballotBefore[g]) {
                changes++;
                which.append(" g").append(g).append(": ").append(leaderBefore[g]).append("->").append(now);
            }
        }
        if (changes > 0)
            sim.oracle.violation("disruptive rejoin: node " + victim + " coming back after a cut changed the leader of "
                    + changes + " group(s) led from the majority:" + which);
    }

    /**
     * True if the voters of {@code g}'s membership in force other than the victim are a quorum: only
     * then is the group led from a majority (after membership changes, the victim may be one of two voters).
     */
    private boolean quorumWithout(int g) {
        paxos.api.Membership m = sim.inForce(g);
        if (m == null) return true;
        long others = m.members().stream().filter(x -> x.role() == paxos.api.MemberRole.VOTER && x.nodeId() != victim).count();
        return others >= m.quorum();
    }

    /** The up node leading {@code g} at the highest ballot (a stale, cut-off leader loses), or 0. */
    private int leader(int g) {
        int best = 0;
        long ballot = Long.MIN_VALUE;
        for (int n = 1; n < sim.nodes.length; n++) {
            SimNode node = sim.nodes[n];
            if (!node.up || node.core(g).role() != GroupCore.Role.LEADER) continue;
            if (node.core(g).ballot() > ballot) {
                ballot = node.core(g).ballot();
                best = n;
            }
        }
        return best;
    }
}
