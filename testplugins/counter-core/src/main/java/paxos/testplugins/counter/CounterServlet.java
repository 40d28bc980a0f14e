package paxos.testplugins.counter;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.UnknownStateMachineException;

/**
 * {@code /counter/{group}}: {@code POST} a command (body, e.g. {@code add 5}) through the group's
 * log and answer what it did here ({@code value 7}, {@code unknown command multiply (value 7)});
 * {@code GET} the value after a linearizable read barrier. Answers carry
 * {@code X-Paxos-Instance}; a group where no counter is registered on this node is {@code 404}
 * ({@link UnknownStateMachineException}: the command never entered the log); other engine failures are {@code 503} with the exception's class and
 * message (no retry logic: tests look at them). Waits at most 10 s for the engine.
 */
final class CounterServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final long TIMEOUT_MILLIS = 10_000;
    private final transient PaxosNode node;
    private final transient CounterStateMachine counter;

    CounterServlet(PaxosNode node, CounterStateMachine counter) {
        this.node = node;
        this.counter = counter;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int group = group(req, resp);
        if (group < 0) return;
        byte[] command = req.getInputStream().readNBytes(1024);
        try {
            Proposed p = await(node.propose(new Proposal(group, CounterStateMachine.STATE_MACHINE_ID, command,
                    Proposal.NO_MASTER_CONDITION, TIMEOUT_MILLIS)));
            send(resp, 200, String.valueOf(p.result()), p.instance());
        } catch (UnknownStateMachineException e) {
            // refused before entering the log: nothing serves the counter in this group here
            send(resp, 404, failure(e), null);
        } catch (Exception e) {
            send(resp, 503, failure(e), null);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int group = group(req, resp);
        if (group < 0) return;
        try {
            long instance = await(node.readBarrier(group, ReadConsistency.LINEARIZABLE));
            send(resp, 200, Long.toString(counter.value(group)), instance);
        } catch (Exception e) {
            send(resp, 503, failure(e), null);
        }
    }

    private int group(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        try {
            int group = Integer.parseInt(path == null ? "" : path.substring(1));
            if (group >= 0 && group < node.groupCount()) return group;
        } catch (NumberFormatException e) {
            // answered below
        }
        send(resp, 400, "use /counter/{group} with group 0.." + (node.groupCount() - 1), null);
        return -1;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer from the engine within " + TIMEOUT_MILLIS + " ms");
        }
    }

    private static String failure(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void send(HttpServletResponse resp, int status, String text, Long instance) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        if (instance != null) resp.setHeader("X-Paxos-Instance", Long.toString(instance));
        if (status == 503) resp.setHeader("Retry-After", "1");
        resp.setContentType("text/plain; charset=utf-8");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
