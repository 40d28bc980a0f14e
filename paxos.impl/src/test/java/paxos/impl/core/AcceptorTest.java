package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.LogRecord;

/** Claims about the acceptor role, one per test. */
class AcceptorTest {
    private final GroupCore acceptor = Fixture.core(3);

    @Test
    void acceptorPromisesAndPersistsThePromiseInTheSameReadyAsTheReply() {
        long b = Ballot.of(1, 1);
        acceptor.step(new Message.Prepare(GROUP, 1, 3, b, 0));
        Ready r = drain(acceptor);
        assertEquals(List.of(new LogRecord.Promise(GROUP, b)), r.toPersist());
        assertEquals(b, only(r.messages(), Message.Promise.class).get(0).ballot());
    }

    @Test
    void acceptorRejectsPrepareBelowItsPromise() {
        acceptor.step(new Message.Prepare(GROUP, 2, 3, Ballot.of(5, 2), 0));
        drain(acceptor);
        acceptor.step(new Message.Prepare(GROUP, 1, 3, Ballot.of(4, 1), 0));
        Message.Reject reject = only(drain(acceptor).messages(), Message.Reject.class).get(0);
        assertEquals(Ballot.of(5, 2), reject.promised());
    }

    @Test
    void acceptorRejectsAcceptBelowItsPromise() {
        acceptor.step(new Message.Prepare(GROUP, 2, 3, Ballot.of(5, 2), 0));
        drain(acceptor);
        acceptor.step(new Message.Accept(GROUP, 1, 3, Ballot.of(4, 1), 0, "x".getBytes(), -1));
        Ready r = drain(acceptor);
        assertTrue(r.toPersist().isEmpty(), "nothing accepted, nothing persisted");
        assertInstanceOf(Message.Reject.class, r.messages().get(0));
    }

    @Test
    void acceptorPersistsTheAcceptBeforeAcknowledgingIt() {
        long b = Ballot.of(1, 1);
        acceptor.step(new Message.Accept(GROUP, 1, 3, b, 0, "x".getBytes(), -1));
        Ready r = drain(acceptor);
        assertTrue(r.toPersist().stream().anyMatch(x -> x instanceof LogRecord.Accept a && a.instance() == 0 && a.ballot() == b));
        assertEquals(new Message.Accepted(GROUP, 3, 1, b, 0), r.messages().get(0));
    }

    @Test
    void promiseReportsAcceptedValuesAtOrAboveTheRequestedInstance() {
        acceptor.step(new Message.Accept(GROUP, 1, 3, Ballot.of(1, 1), 0, "a".getBytes(), -1));
        acceptor.step(new Message.Accept(GROUP, 1, 3, Ballot.of(1, 1), 1, "b".getBytes(), -1));
        drain(acceptor);
        acceptor.step(new Message.Prepare(GROUP, 2, 3, Ballot.of(2, 2), 1));
        Message.Promise p = only(drain(acceptor).messages(), Message.Promise.class).get(0);
        assertEquals(1, p.entries().size());
        assertEquals(1, p.entries().get(0).instance());
        assertEquals("b", new String(p.entries().get(0).value()));
    }

    @Test
    void promiseIsTruncatedAtTheReplyBoundAndSaysSo() {
        CoreConfig cfg = Fixture.config(3).withBounds(100, 1 << 20, 2, 1 << 20, 16);
        GroupCore small = Fixture.core(cfg, CoreState.EMPTY);
        for (int i = 0; i < 3; i++) small.step(new Message.Accept(GROUP, 1, 3, Ballot.of(1, 1), i, new byte[] {(byte) i}, -1));
        drain(small);
        small.step(new Message.Prepare(GROUP, 2, 3, Ballot.of(2, 2), 0));
        Message.Promise p = only(drain(small).messages(), Message.Promise.class).get(0);
        assertEquals(2, p.entries().size());
        assertTrue(p.more());
    }

    @Test
    void restartedAcceptorKeepsItsPromise() {
        GroupCore restarted = Fixture.core(Fixture.config(3), new CoreState(Ballot.of(7, 2), List.of(), 0));
        restarted.step(new Message.Accept(GROUP, 1, 3, Ballot.of(6, 1), 0, "x".getBytes(), -1));
        assertInstanceOf(Message.Reject.class, drain(restarted).messages().get(0));
    }
}
