package paxos.transport.netty;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures the transport's log lines (System.Logger goes to java.util.logging here). */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger(NettyTransport.class.getName()); // strong ref keeps the handler
    final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        logger.addHandler(this);
    }

    long count(String fragment) {
        return lines.stream().filter(line -> line.contains(fragment)).count();
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
