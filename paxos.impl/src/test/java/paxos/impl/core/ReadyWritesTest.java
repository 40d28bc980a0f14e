package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;

/** The durability rule on a Ready: votes and the membership history (metadata) synced before its effects, chosen marks not. */
class ReadyWritesTest {
    @Test
    void votesAndMetadataAreSyncedChosenMarksAreNot() {
        LogRecord promise = new LogRecord.Promise(0, 7);
        LogRecord accept = new LogRecord.Accept(0, 3, 7, new byte[] {1});
        LogRecord chosen = new LogRecord.Chosen(0, 2, 7, new byte[] {2});
        LogRecord meta = new LogRecord.Meta(0, "k", new byte[] {3});
        Ready r = new Ready(List.of(chosen, promise, meta, accept), List.of(), List.of(), List.of());
        Ready.Writes w = r.writes(Durability.Rule.PRODUCTION);
        assertEquals(List.of(promise, meta, accept), w.synced());
        assertEquals(List.of(chosen), w.unsynced());
    }

    @Test
    void anotherRuleSplitsOtherwise() {
        LogRecord accept = new LogRecord.Accept(0, 3, 7, new byte[] {1});
        Ready r = new Ready(List.of(accept), List.of(), List.of(), List.of());
        assertEquals(List.of(accept), r.writes(record -> Durability.UNSYNCED).unsynced());
    }
}
