package paxos.impl.osgi;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import paxos.api.GroupStatus;
import paxos.api.Member;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.impl.runtime.MemberOperation;

/**
 * Gogo commands {@code paxos:status}, {@code paxos:propose group stateMachineId value} and
 * {@code paxos:activate stateMachineId version}, and {@code paxos:command group stateMachineId text};
 * the membership, cluster-wide like {@code /paxos/members} ({@link MemberOperation}):
 * {@code paxos:members}, {@code paxos:addmember id host:port [voter|follower]},
 * {@code paxos:memberrole id voter|follower}, {@code paxos:replacemember old new host:port},
 * {@code paxos:removemember id} (each waits up to 60 s and prints one line per group).
 */
public final class PaxosCommands {
    private final PaxosNode node;
    private final java.util.function.BiFunction<Integer, Integer, paxos.api.statemachine.ResultEncoder> encoders;

    PaxosCommands(PaxosNode node, java.util.function.BiFunction<Integer, Integer, paxos.api.statemachine.ResultEncoder> encoders) {
        this.node = node;
        this.encoders = encoders;
    }

    /** One line per group. */
    public String status() {
        StringBuilder b = new StringBuilder("node " + node.nodeId() + "\n");
        for (int g = 0; g < node.groupCount(); g++) {
            GroupStatus s = node.status(g);
            b.append(String.format("group %d %s chosen=%d executed=%d retainedFrom=%d leader=%d master=%d@v%d waitingFor=%s%s%n",
                    g, s.state(), s.chosenInstance(), s.executedInstance(), s.minRetainedInstance(), s.leaderNodeId(),
                    s.master().nodeId(), s.master().version(), s.waitingFor(), s.failure() == null ? "" : " failure=" + s.failure()));
        }
        return b.toString();
    }

    /** The membership in force, one line per group. */
    public String members() {
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < node.groupCount(); g++) {
            Membership m = node.membership(g);
            b.append("group ").append(g).append(" since instance ").append(m.configVersion()).append(':');
            for (Member x : m.members()) b.append("  ").append(MemberOperation.describe(x));
            b.append('\n');
        }
        return b.toString();
    }

    /** Adds node {@code id} at {@code address} (host:port) as a voter in every group. */
    public String addmember(int id, String address) {
        return addmember(id, address, "voter");
    }

    /** Adds node {@code id} at {@code address} (host:port) as a voter or follower in every group. */
    public String addmember(int id, String address, String role) {
        return change(() -> MemberOperation.put(id, address, role, null));
    }

    /** Promotes ({@code voter}) or demotes ({@code follower}) member {@code id} in every group. */
    public String memberrole(int id, String role) {
        return change(() -> MemberOperation.put(id, null, role, null));
    }

    /** Replaces member {@code oldId} by the new node {@code newId} at {@code address} in every group. */
    public String replacemember(int oldId, int newId, String address) {
        return change(() -> MemberOperation.put(newId, address, null, Integer.toString(oldId)));
    }

    /** Removes member {@code id} from every group. */
    public String removemember(int id) {
        return change(() -> MemberOperation.remove(id));
    }

    private String change(java.util.function.Supplier<MemberOperation> parse) {
        MemberOperation op;
        try {
            op = parse.get();
            Map<Integer, MemberOperation.Outcome> outcomes = op.apply(node, NodeView.MEMBERSHIP_WAIT_MILLIS);
            StringBuilder b = new StringBuilder(op.describe()).append('\n');
            outcomes.forEach((g, o) -> b.append("group ").append(g).append(": ").append(o.failure() != null
                    ? "failed: " + o.failure().getMessage() : (o.unchanged() ? "already in force" : "in force")
                    + " since instance " + o.membership().configVersion()).append('\n'));
            return b.toString();
        } catch (IllegalArgumentException | IllegalStateException e) { // bad input, unknown node, not ready
            return "refused: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Activates a state machine version in every group where the ID is registered; waits up to 10 s per group. */
    public String activate(int stateMachineId, String version) {
        java.util.Map<Integer, java.util.concurrent.CompletionStage<String>> results;
        try {
            results = node.activateVersion(stateMachineId, version);
        } catch (IllegalArgumentException e) {
            return "refused: " + e.getMessage();
        }
        if (results.isEmpty()) return "state machine " + stateMachineId + " is registered in no group of this node";
        StringBuilder b = new StringBuilder();
        results.forEach((group, stage) -> b.append("group ").append(group).append(": ").append(outcome(stage)).append('\n'));
        return b.toString();
    }

    private static String outcome(java.util.concurrent.CompletionStage<String> stage) {
        return await(stage, v -> "version " + v + " in force", "the activation");
    }

    /** Proposes {@code value} (UTF-8) and waits up to 10 s. */
    public String propose(int group, int stateMachineId, String value) {
        return await(node.propose(group, stateMachineId, value.getBytes(StandardCharsets.UTF_8)),
                p -> "chosen at instance " + p.instance() + " index " + p.index() + (p.result() == null ? "" : ": " + p.result()),
                "the value");
    }

    /**
     * Proposes {@code text} (UTF-8) like the command endpoint, waits up to 10 s and prints the
     * result as the state machine's {@link paxos.api.statemachine.ResultEncoder} encodes it
     * ({@code String.valueOf} otherwise), decoded as UTF-8, after its position and content type.
     */
    public String command(int group, int stateMachineId, String text) {
        return await(node.propose(group, stateMachineId, text.getBytes(StandardCharsets.UTF_8)), p -> {
            paxos.api.statemachine.EncodedResult r;
            try {
                r = CommandResource.encode(encoders.apply(group, stateMachineId), p.result());
            } catch (RuntimeException e) {
                return "executed at instance " + p.instance() + " index " + p.index() + " but the result encoder failed: " + e;
            }
            return "instance " + p.instance() + " index " + p.index() + " (" + r.contentType() + ")\n"
                    + new String(r.body(), StandardCharsets.UTF_8);
        }, "the command");
    }

    /** Waits up to 10 s; a failure prints the engine's message (e.g. an unknown state machine ID). */
    private static <T> String await(java.util.concurrent.CompletionStage<T> stage, java.util.function.Function<T, String> done,
                                    String what) {
        try {
            return done.apply(stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
            return "failed: " + e.getCause().getMessage();
        } catch (java.util.concurrent.TimeoutException e) {
            return "timeout: " + what + " may still be chosen";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
