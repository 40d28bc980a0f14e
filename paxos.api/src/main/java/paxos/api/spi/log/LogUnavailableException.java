package paxos.api.spi.log;

/**
 * The store cannot serve: closed, data directory missing or unwritable, held by another process,
 * disk full, an I/O error, or its bounded write queue is full. Nothing reported durable before is
 * lost; writes that fail with it were not acknowledged.
 */
public class LogUnavailableException extends LogException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed; @param cause the underlying failure or {@code null} */
    public LogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed */
    public LogUnavailableException(String message) {
        super(message, null);
    }
}
