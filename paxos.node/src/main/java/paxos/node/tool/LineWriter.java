package paxos.node.tool;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes lines to a stream on a thread of its own, so that engine threads answering proposals
 * never block on a slow reader. The queue is bounded ({@code capacity} lines): callers keep the
 * number of lines they can have outstanding below it; if it is full anyway, {@link #line}
 * waits (the reader is the parent process, which drains it).
 */
final class LineWriter {
    private static final String END = new String("end");

    private final PrintStream out;
    private final BlockingQueue<String> queue;
    private final Thread thread;

    LineWriter(PrintStream out, int capacity) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "line-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues one line (without its newline). */
    void line(String text) {
        try {
            queue.put(text);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes everything queued so far, then stops. */
    void close() {
        line(END);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                String s = queue.take();
                if (s == END) break; // identity: the sentinel object itself
                out.println(s);
                if (queue.isEmpty()) out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }
}
