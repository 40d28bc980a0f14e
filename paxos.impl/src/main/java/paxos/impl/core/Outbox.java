package paxos.impl.core;

import java.util.ArrayList;
import java.util.List;
import paxos.api.spi.log.LogRecord;

/** What the core's parts produced since the last {@link Ready}; drained by {@link GroupCore#ready()}. */
final class Outbox {
    final List<LogRecord> persist = new ArrayList<>();
    final List<Message> messages = new ArrayList<>();
    final List<CatchUpRead> reads = new ArrayList<>();

    boolean isEmpty() {
        return persist.isEmpty() && messages.isEmpty() && reads.isEmpty();
    }

    void clear() {
        persist.clear();
        messages.clear();
        reads.clear();
    }
}
