package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import paxos.api.GroupUnavailableException;
import paxos.api.OverloadedException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.ProposalTimeoutException;
import paxos.api.Proposed;
import paxos.api.UnknownStateMachineException;
import paxos.api.ValueTooLargeException;
import paxos.api.statemachine.EncodedResult;
import paxos.api.statemachine.ResultEncoder;

/** The command endpoint's mapping: request → proposal, result → body, each failure → its status. */
class CommandResourceTest {
    private final List<Proposal> proposed = new ArrayList<>();

    /** A fake node with 2 groups and a 16-byte limit; {@code answer} decides each proposal's outcome. */
    private PaxosNode node(Function<Proposal, CompletableFuture<Proposed>> answer) {
        return (PaxosNode) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PaxosNode.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "groupCount" -> 2;
                    case "maxValueBytes" -> 16;
                    case "propose" -> {
                        proposed.add((Proposal) args[0]);
                        yield answer.apply((Proposal) args[0]);
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private CommandResource.Answer post(String path, String body, Function<Proposal, CompletableFuture<Proposed>> answer,
                                        ResultEncoder encoder) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new CommandResource(node(answer), (g, id) -> encoder, 5_000)
                .post(path, new ByteArrayInputStream(bytes), bytes.length);
    }

    private static CompletableFuture<Proposed> result(Object r) {
        return CompletableFuture.completedFuture(new Proposed(1, 42, 3, r));
    }

    private static Function<Proposal, CompletableFuture<Proposed>> failing(Exception e) {
        return p -> CompletableFuture.failedFuture(e);
    }

    @Test
    void proposesTheBodyToThatStateMachineAndAnswersTheResultAsTextWithItsPosition() throws IOException {
        CommandResource.Answer a = post("/1/statemachines/7", "incr", p -> result(5L), null);
        assertEquals(1, proposed.size());
        assertEquals(1, proposed.get(0).group());
        assertEquals(7, proposed.get(0).stateMachineId());
        assertArrayEquals("incr".getBytes(StandardCharsets.UTF_8), proposed.get(0).value());
        assertEquals(200, a.status());
        assertEquals("5", new String(a.body(), StandardCharsets.UTF_8));
        assertEquals("text/plain; charset=utf-8", a.contentType());
        assertEquals("42", a.headers().get("X-Paxos-Instance"));
        assertEquals("3", a.headers().get("X-Paxos-Index"));
    }

    @Test
    void aNullResultIsAnEmptyBodyAndAnEncoderDecidesBytesAndType() throws IOException {
        assertEquals(0, post("/0/statemachines/7", "", p -> result(null), null).body().length);
        CommandResource.Answer a = post("/0/statemachines/7/", "x", p -> result(5L),
                r -> new EncodedResult(("{\"n\":" + r + "}").getBytes(StandardCharsets.UTF_8), "application/json"));
        assertEquals(200, a.status());
        assertEquals("application/json", a.contentType());
        assertEquals("{\"n\":5}", new String(a.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aFailingEncoderIs500AndSaysTheCommandWasExecuted() throws IOException {
        CommandResource.Answer a = post("/0/statemachines/7", "x", p -> result(1), r -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(500, a.status());
        assertTrue(text(a).contains("executed at instance 42"), text(a));
    }

    @Test
    void malformedOrOutOfRangeGroupsAndIdsAre400WithoutProposing() throws IOException {
        for (String path : List.of("/x/statemachines/7", "/0/statemachines/y", "/2/statemachines/7", "/-1/statemachines/7",
                "/0/statemachines/0", "/0/statemachines/65536")) {
            CommandResource.Answer a = post(path, "v", p -> result(1), null);
            assertEquals(400, a.status(), path);
            assertEquals("application/problem+json", a.contentType());
        }
        assertEquals(404, post("/0/other", "v", p -> result(1), null).status());
        assertTrue(proposed.isEmpty());
    }

    @Test
    void aBodyOverTheLimitIs413BeforeProposingWhetherOrNotItsLengthIsDeclared() throws IOException {
        String big = "x".repeat(17);
        assertEquals(413, post("/0/statemachines/7", big, p -> result(1), null).status());
        CommandResource.Answer undeclared = new CommandResource(node(p -> result(1)), (g, id) -> null, 5_000)
                .post("/0/statemachines/7", new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)), -1);
        assertEquals(413, undeclared.status());
        assertTrue(proposed.isEmpty());
        assertEquals(200, post("/0/statemachines/7", "x".repeat(16), p -> result(1), null).status());
    }

    @Test
    void eachEngineFailureMapsToItsStatus() throws IOException {
        CommandResource.Answer unknown = post("/0/statemachines/9", "v", failing(new UnknownStateMachineException(0, 9)), null);
        assertEquals(404, unknown.status());
        assertTrue(text(unknown).contains("no state machine 9 is registered for group 0"), text(unknown));
        assertTrue(text(unknown).contains("\"status\":404"), text(unknown));
        assertEquals(413, post("/0/statemachines/7", "v", failing(new ValueTooLargeException("big")), null).status());
        for (Exception e : List.of(new OverloadedException("full"), new GroupUnavailableException("starting"))) {
            CommandResource.Answer a = post("/0/statemachines/7", "v", failing(e), null);
            assertEquals(503, a.status(), e.toString());
            assertEquals("1", a.headers().get("Retry-After"));
        }
        CommandResource.Answer timeout = post("/0/statemachines/7", "v", failing(new ProposalTimeoutException("late")), null);
        assertEquals(504, timeout.status());
        assertTrue(text(timeout).contains("outcome is unknown"), text(timeout));
        assertNull(timeout.headers().get("X-Paxos-Instance"));
    }

    @Test
    void aStageThatNeverCompletesIs504WithUnknownOutcome() throws IOException {
        CommandResource.Answer a = new CommandResource(node(p -> new CompletableFuture<>()), (g, id) -> null, 50)
                .post("/0/statemachines/7", new ByteArrayInputStream(new byte[1]), 1);
        assertEquals(504, a.status());
        assertTrue(text(a).contains("outcome is unknown"), text(a));
    }

    @Test
    void basicAuthAcceptsTheConsoleCredentialsClearOrHashed() {
        String hash = "{sha-256}" + Base64.getEncoder().encodeToString(sha256("s3cret"));
        CommandServlet hashed = new CommandServlet(null, "op", hash);
        assertTrue(hashed.authorized(basic("op", "s3cret")));
        assertFalse(hashed.authorized(basic("op", "wrong")));
        assertFalse(hashed.authorized(basic("admin", "s3cret")));
        assertFalse(hashed.authorized(null));
        assertFalse(hashed.authorized("Basic !!!"));
        CommandServlet defaults = new CommandServlet(null, null, null);
        assertTrue(defaults.authorized(basic("admin", "admin")));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String text(CommandResource.Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }
}
