package paxos.api.spi.log;

/**
 * Base of the named storage failures. Unchecked so that it travels through stages unwrapped.
 */
public abstract class LogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the group, file or offset where known */
    protected LogException(String message, Throwable cause) {
        super(message, cause);
    }
}
