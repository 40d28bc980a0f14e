package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.ProposalTimeoutException;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.impl.core.Ballot;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.CoreState;
import paxos.impl.core.Durability;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;
import paxos.impl.exec.ExecOutcome;
import paxos.impl.exec.ExecutorState;
import paxos.impl.exec.GroupExecutor;
import paxos.impl.log.InMemoryLogStore;

/**
 * The runner takes its time and its durability rule from outside: a promise's reply waits for
 * the synced append, and a proposal times out on the injected clock (no real time passes).
 */
class GroupRunnerTimeTest {
    /** An in-memory store whose synced appends complete only when the test completes them. */
    static final class HeldStore {
        final List<List<LogRecord>> synced = new ArrayList<>();
        final List<CompletableFuture<Void>> held = new ArrayList<>();
        final LogStore store;

        @SuppressWarnings("unchecked")
        HeldStore() {
            InMemoryLogStore inner = new InMemoryLogStore();
            store = (LogStore) Proxy.newProxyInstance(LogStore.class.getClassLoader(), new Class<?>[] {LogStore.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "append" -> {
                            synced.add((List<LogRecord>) args[0]);
                            CompletableFuture<Void> f = new CompletableFuture<>();
                            held.add(f);
                            yield f;
                        }
                        case "appendUnsynced" -> inner.append((List<LogRecord>) args[0]);
                        default -> method.invoke(inner, args);
                    });
        }
    }

    private static GroupRunner runner(int self, LogStore store, List<Message> sent, ManualClock clock,
                                      Durability.Rule rule) {
        return runner(self, store, sent, clock, rule, paxos.impl.core.Early.PRODUCTION);
    }

    static GroupRunner runner(int self, LogStore store, List<Message> sent, ManualClock clock, Durability.Rule rule,
                              paxos.impl.core.Early early) {
        List<Member> members = List.of(new Member(1, "127.0.0.1", 7001, MemberRole.VOTER),
                new Member(2, "127.0.0.1", 7002, MemberRole.VOTER), new Member(3, "127.0.0.1", 7003, MemberRole.VOTER));
        CoreConfig cfg = CoreConfig.defaults(0, self, new Membership(0, members));
        GroupCore core = new GroupCore(cfg, CoreState.EMPTY, new SplittableRandom(1));
        GroupExecutor executor = new GroupExecutor(0, self, ExecutorState.INITIAL, 100);
        return new GroupRunner(0, self, core, executor, store, sent::add, Runnable::run, Runnable::run, CatchUpServer.unpaced(Runnable::run),
                100, RequestIds.open(new AtomicLong(1)), ExecMeta.empty(), new StateMachineRegistry(), 1000, clock, rule, early);
    }

    @Test
    void aPromiseIsSentOnlyAfterItsSyncedAppendCompleted() {
        HeldStore store = new HeldStore();
        List<Message> sent = new ArrayList<>();
        GroupRunner r = runner(2, store.store, sent, new ManualClock(), Durability.Rule.PRODUCTION);
        r.receive(new Message.Prepare(0, 1, 2, Ballot.of(1, 1), 0));
        assertEquals(1, store.synced.size());
        assertInstanceOf(LogRecord.Promise.class, store.synced.get(0).get(0));
        assertTrue(sent.isEmpty(), "sent before the promise was durable: " + sent);
        store.held.get(0).complete(null);
        assertEquals(1, sent.size());
        assertInstanceOf(Message.Promise.class, sent.get(0));
    }

    @Test
    void underABrokenRuleThePromiseGoesOutUnsynced() {
        HeldStore store = new HeldStore();
        List<Message> sent = new ArrayList<>();
        GroupRunner r = runner(2, store.store, sent, new ManualClock(), record -> Durability.UNSYNCED);
        r.receive(new Message.Prepare(0, 1, 2, Ballot.of(1, 1), 0));
        assertTrue(store.synced.isEmpty());
        assertEquals(1, sent.size());
    }

    @Test
    void aProposalTimesOutOnTheInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        GroupRunner r = runner(1, new InMemoryLogStore(), new ArrayList<>(), clock, Durability.Rule.PRODUCTION);
        CompletableFuture<ExecOutcome.Completed> f = r.propose(
                List.of(new BatchCommand(1, -1, 1, 0, new byte[] {1})), 500).get(0);
        clock.advance(TimeUnit.MILLISECONDS.toNanos(499));
        assertFalse(f.isDone());
        clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(f.isCompletedExceptionally());
        try {
            f.get();
        } catch (ExecutionException e) {
            assertInstanceOf(ProposalTimeoutException.class, e.getCause());
        }
    }
}
