package paxos.node.tool;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Replaces the JUL root handlers (the default {@code System.Logger} backend, also Netty's) with
 * one that prints each record at INFO or above as one line, {@code LOG <LEVEL> <logger>: <message>},
 * on stderr, and counts them, so a parent process can check that the logs stay quiet.
 * Thread-safe.
 */
final class LogLineCounter extends Handler {
    private final AtomicLong lines = new AtomicLong();
    private final PrintStream out;
    private final Formatter formatter = new SimpleFormatter();

    private LogLineCounter(PrintStream out) {
        this.out = out;
        setLevel(Level.INFO);
    }

    /** Installs a counter on the root logger, in place of its handlers. */
    static LogLineCounter install(PrintStream out) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        LogLineCounter counter = new LogLineCounter(out);
        root.addHandler(counter);
        return counter;
    }

    /** Records at INFO or above published since {@link #install}. */
    long lines() {
        return lines.get();
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) return;
        lines.incrementAndGet();
        String message = formatter.formatMessage(record).replace('\n', ' ');
        Throwable t = record.getThrown();
        out.println("LOG " + record.getLevel() + " " + record.getLoggerName() + ": " + message
                + (t == null ? "" : " (" + t + ")"));
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
