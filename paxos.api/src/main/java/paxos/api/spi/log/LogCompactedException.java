package paxos.api.spi.log;

/**
 * The requested instance is below the group's minimum retained instance: retention deleted it.
 * The caller falls back to another peer or to a checkpoint.
 */
public class LogCompactedException extends LogException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed; @param cause the underlying failure or {@code null} */
    public LogCompactedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed */
    public LogCompactedException(String message) {
        super(message, null);
    }
}
