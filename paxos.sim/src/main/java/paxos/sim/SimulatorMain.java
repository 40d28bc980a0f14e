package paxos.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./paxos sim [--seeds N [--from B] | --seed S] [--variant CORRECT|MINORITY_QUORUM|SEND_BEFORE_PERSIST|ACCEPTS_UNSYNCED|CHECKPOINT_RESUME_AT_P|NON_ATOMIC_INSTALL|...] [--verbose]}.
 *
 * <p>Runs seeds {@code B..B+N-1} (default {@code 1..100}) or the one seed {@code S}, on as many
 * threads as there are processors (each seed is single-threaded and deterministic on its own).
 * Prints {@code seed=S violation: ...} for every failing seed, then a throughput line, and ends
 * with exactly one line {@code simulation: <N> seeds, <V> violations}. Exit status 1 if V > 0,
 * 2 on bad arguments.
 */
public final class SimulatorMain {
    private SimulatorMain() {}

    public static void main(String[] args) throws Exception {
        long from = 1;
        long count = 100;
        Variant variant = Variant.CORRECT;
        boolean verbose = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seeds" -> count = Long.parseLong(args[++i]);
                    case "--from" -> from = Long.parseLong(args[++i]);
                    case "--seed" -> {
                        from = Long.parseLong(args[++i]);
                        count = 1;
                        verbose = true;
                    }
                    case "--variant" -> variant = Variant.valueOf(args[++i].toUpperCase(Locale.ROOT));
                    case "--verbose" -> verbose = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (count < 1) throw new IllegalArgumentException("--seeds must be >= 1");
        } catch (RuntimeException e) {
            System.err.println("usage: ./paxos sim [--seeds N [--from B] | --seed S] [--variant "
                    + "CORRECT|MINORITY_QUORUM|SEND_BEFORE_PERSIST|ACCEPTS_UNSYNCED|CHECKPOINT_RESUME_AT_P|NON_ATOMIC_INSTALL|...] [--verbose]\n" + e.getMessage());
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        List<SimResult> results = runAll(from, count, variant);
        double seconds = (System.nanoTime() - started) / 1e9;
        int violations = 0;
        for (SimResult r : results) {
            if (verbose) System.out.println("seed=" + r.seed() + " " + r.params() + " | " + r.stats());
            if (!r.passed()) {
                violations++;
                System.out.println("seed=" + r.seed() + " violation: " + r.violations().get(0));
                for (int i = 1; i < r.violations().size(); i++) System.out.println("    also: " + r.violations().get(i));
                System.out.println("    replay: ./paxos sim --seed " + r.seed() + (variant == Variant.CORRECT ? "" : " --variant " + variant));
            }
        }
        System.out.printf(Locale.ROOT, "variant %s: %.1f seeds/second (%.1f s on %d threads)%n", variant,
                results.size() / seconds, seconds, threads());
        System.out.println("simulation: " + results.size() + " seeds, " + violations + " violations");
        System.exit(violations > 0 ? 1 : 0);
    }

    /** Runs seeds {@code from .. from+count-1} in parallel; results in seed order. */
    public static List<SimResult> runAll(long from, long count, Variant variant) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads());
        try {
            List<Future<SimResult>> futures = new ArrayList<>();
            for (long s = from; s < from + count; s++) {
                long seed = s;
                futures.add(pool.submit(() -> Simulation.run(seed, variant)));
            }
            List<SimResult> results = new ArrayList<>();
            for (Future<SimResult> f : futures) results.add(f.get());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int threads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
