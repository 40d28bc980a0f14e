package paxos.sim;

import paxos.impl.core.Message;

/**
 * The simulated network: delay, loss, duplication, reordering (long delays) and partitions, all
 * decided by the run's random source. Messages are delivered as objects (the wire codec is not
 * under test here); their byte arrays are never modified by anyone.
 */
final class SimNetwork {
    private final Simulation sim;
    private final int[] side;
    boolean faulty = true;
    long sent;
    long dropped;

    SimNetwork(Simulation sim, int nodes) {
        this.sim = sim;
        this.side = new int[nodes + 1];
    }

    /** A core message; the receiver learns the sender's incarnation as the transport's handshake presents it. */
    void send(Message m) {
        String incarnation = sim.nodes[m.from()].incarnation();
        send(m.from(), m.to(), () -> sim.nodes[m.to()].receive(m, incarnation));
    }

    /** A runtime-level message (checkpoint catch-up): same faults as core messages. */
    void send(ShellMessage m) {
        send(m.from(), m.to(), () -> sim.nodes[m.to()].receive(m));
    }

    /** True if {@code a} and {@code b} are on the same side of any partition. */
    boolean connected(int a, int b) {
        return side[a] == side[b];
    }

    private void send(int from, int to, Runnable delivery) {
        sent++;
        SimParams p = sim.params;
        if (faulty && sim.chance(p.lossPermille())) {
            dropped++;
            return;
        }
        deliverLater(from, to, delivery);
        if (faulty && sim.chance(p.duplicatePermille())) deliverLater(from, to, delivery);
    }

    private void deliverLater(int from, int to, Runnable delivery) {
        SimParams p = sim.params;
        long delay = 1 + sim.random.nextInt(p.delayUnitsMax());
        if (faulty && sim.chance(p.longDelayPermille())) delay += sim.random.nextInt(20 * SimParams.TICK_UNITS);
        sim.after(delay, () -> {
            if (side[from] != side[to]) {
                dropped++;
                return;
            }
            delivery.run();
        });
    }

    /** Splits the nodes into two random sides. */
    void partition() {
        for (int n = 1; n < side.length; n++) side[n] = sim.random.nextInt(2);
    }

    /** Cuts {@code node} off from every other node (the others stay connected). */
    void isolate(int node) {
        java.util.Arrays.fill(side, 0);
        side[node] = 1;
    }

    void heal() {
        java.util.Arrays.fill(side, 0);
    }

    boolean partitioned() {
        for (int s : side) if (s != 0) return true;
        return false;
    }
}
