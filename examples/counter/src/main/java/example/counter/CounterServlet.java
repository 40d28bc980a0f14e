package example.counter;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import paxos.api.PaxosException;
import paxos.api.PaxosNode;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;
import paxos.api.statemachine.EncodedResult;
import paxos.plugin.support.http.AnswerServlet;
import paxos.plugin.support.http.HttpAnswer;
import paxos.plugin.support.http.PaxosCalls;

/**
 * {@code GET /counter/{group}[?consistency=stale|lease|linearizable]}: the value after a read
 * barrier; {@code POST /counter/{group}} with a command ({@code add 5}) as the body: proposes it
 * and answers its result. Both with {@code X-Paxos-Instance}; errors as problem+json (timeout 504,
 * overloaded 503, ...). Runs on HTTP server threads and blocks them up to the timeout.
 */
final class CounterServlet extends AnswerServlet {
    private static final long serialVersionUID = 1L;
    private static final int MAX_COMMAND_BYTES = 256;
    private final transient PaxosNode node;
    private final transient Counter counter;
    private final long timeoutMillis;

    CounterServlet(PaxosNode node, Counter counter, long timeoutMillis) {
        this.node = node;
        this.counter = counter;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        send(resp, () -> {
            int group = group(req);
            if (group < 0) return badGroup();
            ReadConsistency level = PaxosCalls.consistency(req.getParameter("consistency"));
            if (level == null) return HttpAnswer.problem(400, "Bad Request", "consistency: linearizable, lease or stale");
            try {
                long at = PaxosCalls.await(node.readBarrier(group, level), timeoutMillis);
                return HttpAnswer.json(200, null, "{\"value\":" + counter.value(group) + "}").at(at);
            } catch (PaxosException e) {
                return PaxosCalls.problem(e);
            }
        });
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] command = readBounded(req.getInputStream(), MAX_COMMAND_BYTES);
        send(resp, () -> {
            int group = group(req);
            if (group < 0) return badGroup();
            if (command == null) return HttpAnswer.problem(413, "Content Too Large", "at most " + MAX_COMMAND_BYTES + " bytes");
            try {
                Proposed p = PaxosCalls.await(node.propose(Proposal.of(group, CounterComponent.ID, command)), timeoutMillis);
                EncodedResult r = counter.encode(p.result());
                return new HttpAnswer(200, null, r.body(), r.contentType()).at(p.instance());
            } catch (PaxosException e) {
                return PaxosCalls.problem(e);
            }
        });
    }

    private int group(HttpServletRequest req) {
        try {
            int g = Integer.parseInt(pathKey(req));
            return g >= 0 && g < node.groupCount() ? g : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private HttpAnswer badGroup() {
        return HttpAnswer.problem(404, "Not Found", "use /counter/{group} with a group in 0.." + (node.groupCount() - 1));
    }
}
