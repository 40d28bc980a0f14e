package paxos.plugin.support.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import paxos.api.OverloadedException;
import paxos.api.ProposalTimeoutException;
import paxos.api.ReadConsistency;

class PaxosCallsTest {
    @Test
    void engineFailuresMapToRetryableOrUnknownOutcomeStatuses() {
        assertEquals(504, PaxosCalls.failure(new ProposalTimeoutException("t")).status());
        assertEquals(503, PaxosCalls.failure(new OverloadedException("o")).status());
        HttpAnswer problem = PaxosCalls.problem(new OverloadedException("o"));
        assertEquals(HttpAnswer.PROBLEM_JSON, problem.contentType());
        assertEquals("{\"status\":503,\"title\":\"OverloadedException\",\"detail\":\"overloaded, retry later\"}",
                problem.bodyText());
    }

    @Test
    void awaitRethrowsTheEnginesFailure() {
        CompletableFuture<Long> failed = CompletableFuture.failedFuture(new OverloadedException("busy"));
        assertThrows(OverloadedException.class, () -> PaxosCalls.await(failed, 100));
        assertEquals(5L, PaxosCalls.await(CompletableFuture.completedFuture(5L), 100));
    }

    @Test
    void headersAndParameters() {
        assertEquals(12L, PaxosCalls.parseVersion("\"12\""));
        assertNull(PaxosCalls.parseVersion("W/\"12\""));
        assertEquals(ReadConsistency.LINEARIZABLE, PaxosCalls.consistency(null));
        assertEquals(ReadConsistency.STALE, PaxosCalls.consistency("stale"));
        assertNull(PaxosCalls.consistency("eventual"));
        assertEquals("200 version=3 ok", new HttpAnswer(200, 3L, "ok\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain").shellLine());
    }
}
