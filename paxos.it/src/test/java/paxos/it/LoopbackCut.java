package paxos.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts one loopback address off with {@code tc} on {@code lo}: an HTB root whose default class
 * passes everything, and a class of 8 bit/s with a one-packet queue into which two u32 filters
 * put every packet from or to the address (about 100 % loss after the first packet; this needs
 * only the htb, pfifo and u32 modules, which fresh Debian kernels and small VMs have, unlike
 * netem or tc actions). {@link #close} deletes the root qdisc (idempotent). Root only; one cut
 * at a time on the machine.
 */
final class LoopbackCut implements AutoCloseable {
    private boolean closed;

    private LoopbackCut() {}

    /** True if this process may change lo's qdisc and nobody else has one there. */
    static boolean available() {
        try {
            return "root".equals(System.getProperty("user.name")) && run(List.of("tc", "qdisc", "show", "dev", "lo")).contains("noqueue");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Cuts every packet from or to {@code ip}. */
    static LoopbackCut isolate(String ip) throws IOException, InterruptedException {
        return cut("match ip dst " + ip + "/32", "match ip src " + ip + "/32");
    }

    /** Cuts only the packets between {@code a} and {@code b} (both directions); both still reach everyone else. */
    static LoopbackCut between(String a, String b) throws IOException, InterruptedException {
        return cut("match ip src " + a + "/32 match ip dst " + b + "/32", "match ip src " + b + "/32 match ip dst " + a + "/32");
    }

    private static LoopbackCut cut(String... selectors) throws IOException, InterruptedException {
        LoopbackCut c = new LoopbackCut();
        try {
            tc("qdisc add dev lo root handle 1: htb default 1");
            tc("class add dev lo parent 1: classid 1:1 htb rate 100gbit");
            tc("class add dev lo parent 1: classid 1:2 htb rate 8bit ceil 8bit burst 1b cburst 1b");
            tc("qdisc add dev lo parent 1:2 handle 20: pfifo limit 1");
            for (String s : selectors) tc("filter add dev lo parent 1: protocol ip prio 1 u32 " + s + " flowid 1:2");
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) return;
        closed = true;
        run(List.of("tc", "qdisc", "del", "dev", "lo", "root"));
    }

    private static void tc(String args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tc"));
        cmd.addAll(List.of(args.split(" ")));
        String out = run(cmd);
        if (out.startsWith("exit ")) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    /** Runs {@code cmd} (at most 10 s); its output, or "exit N: output" if it failed. */
    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " did not finish in 10 s");
        }
        String out = new String(p.getInputStream().readAllBytes());
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
