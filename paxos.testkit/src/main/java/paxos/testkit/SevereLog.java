package paxos.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the ERROR ({@code SEVERE}) lines one class logs through {@link System.Logger}, which
 * the JDK backs with java.util.logging in tests. Attach in a {@code @BeforeEach}, close after.
 */
public final class SevereLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());

    public SevereLog(Class<?> source) {
        this.logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel() == Level.SEVERE) lines.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
    }

    /** The formatted ERROR lines so far, oldest first. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() { }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
