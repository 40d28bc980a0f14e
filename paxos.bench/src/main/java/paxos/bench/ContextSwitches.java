package paxos.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The context switches of this JVM's live threads so far (voluntary and involuntary, from
 * {@code /proc/self/task/N/status}), or {@code -1} where there is no such file (not Linux). A
 * thread that ended is no longer counted, so compare two readings only across a window in which
 * the threads that matter live (the clients', the nodes' pools). Each hand-off of work to a
 * sleeping thread costs one switch there, and on a 2-core machine tens of microseconds.
 */
final class ContextSwitches {
    private ContextSwitches() {
    }

    static long total() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) return -1;
        long sum = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) sum += switchesOf(t.resolve("status"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }

    private static long switchesOf(Path status) {
        try {
            long n = 0;
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:"))
                    n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
            return n;
        } catch (IOException | RuntimeException gone) { // the thread ended while read
            return 0;
        }
    }
}
