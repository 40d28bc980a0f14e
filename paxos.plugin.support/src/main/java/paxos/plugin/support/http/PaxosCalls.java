package paxos.plugin.support.http;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import paxos.api.GroupUnavailableException;
import paxos.api.MasterChangedException;
import paxos.api.NotMasterException;
import paxos.api.NotMemberException;
import paxos.api.OverloadedException;
import paxos.api.PaxosException;
import paxos.api.ProposalTimeoutException;
import paxos.api.ReadConsistency;
import paxos.api.ValueTooLargeException;

/**
 * Calling the engine from a request thread: waiting with a bound, and mapping its failures to
 * HTTP answers. Static, thread-safe.
 */
public final class PaxosCalls {
    private PaxosCalls() {}

    /**
     * Waits for an engine call. The engine enforces {@code timeoutMillis} itself; this bound (5 s
     * more) only guards against a lost completion.
     *
     * @throws PaxosException the engine's failure; a {@link ProposalTimeoutException} if no answer came
     * @throws IllegalStateException any other failure of the call
     */
    public static <T> T await(CompletionStage<T> stage, long timeoutMillis) {
        try {
            return stage.toCompletableFuture().get(timeoutMillis + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof PaxosException p) throw p;
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new ProposalTimeoutException("no answer from the engine within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProposalTimeoutException("interrupted");
        }
    }

    /**
     * Maps an engine failure to a short text answer, never a stack trace: timeout 504 (the write
     * may or may not have been applied), too large 413, overloaded 503, master changed 409, not the
     * master 421, not a member or group unavailable 503. Every 503 is retryable (the servlet adds
     * {@code Retry-After}).
     */
    public static HttpAnswer failure(PaxosException e) {
        if (e instanceof ProposalTimeoutException)
            return HttpAnswer.text(504, "timeout: the write may or may not have been applied");
        if (e instanceof ValueTooLargeException) return HttpAnswer.text(413, e.getMessage());
        if (e instanceof OverloadedException) return HttpAnswer.text(503, "overloaded, retry later");
        if (e instanceof MasterChangedException) return HttpAnswer.text(409, e.getMessage());
        if (e instanceof NotMasterException) return HttpAnswer.text(421, e.getMessage());
        if (e instanceof NotMemberException || e instanceof GroupUnavailableException)
            return HttpAnswer.text(503, e.getMessage());
        return HttpAnswer.text(503, e.getMessage());
    }

    /** The same mapping as {@link #failure}, as {@code application/problem+json}. */
    public static HttpAnswer problem(PaxosException e) {
        HttpAnswer text = failure(e);
        return HttpAnswer.problem(text.status(), e.getClass().getSimpleName(), text.bodyText());
    }

    /**
     * The {@code consistency} request parameter: null means {@code LINEARIZABLE}.
     *
     * @return the level, or null if the text names none
     */
    public static ReadConsistency consistency(String parameter) {
        try {
            return parameter == null ? ReadConsistency.LINEARIZABLE : ReadConsistency.valueOf(parameter.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The answer to a {@link #consistency} that names no level. */
    public static HttpAnswer badConsistency() {
        return HttpAnswer.text(400, "bad consistency: use linearizable, lease or stale");
    }

    /**
     * A version from {@code If-Match} or a similar header: accepts {@code "12"} and {@code 12};
     * weak tags ({@code W/"12"}) are refused, they make no sense for compare-and-set.
     *
     * @return the version {@code >= 0}, or null if malformed
     */
    public static Long parseVersion(String header) {
        String v = header.trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
        try {
            long n = Long.parseLong(v);
            return n >= 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The answer to a malformed {@code If-Match}. */
    public static HttpAnswer badIfMatch() {
        return HttpAnswer.text(400, "bad If-Match: expected a version such as \"12\"");
    }
}
