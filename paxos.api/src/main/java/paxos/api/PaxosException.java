package paxos.api;

/**
 * Base of every failure the platform reports to callers. Unchecked so that it can travel through
 * {@link java.util.concurrent.CompletionStage}s unwrapped; subclasses say what happened and
 * whether the value may still have been chosen.
 */
public abstract class PaxosException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message a short sentence for operators; never includes the value's bytes */
    protected PaxosException(String message) {
        super(message);
    }

    /** @param message a short sentence for operators; @param cause the underlying failure */
    protected PaxosException(String message, Throwable cause) {
        super(message, cause);
    }
}
