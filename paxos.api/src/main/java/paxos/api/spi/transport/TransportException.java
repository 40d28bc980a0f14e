package paxos.api.spi.transport;

/** The transport cannot start or run: address in use, bad TLS material, closed. */
public class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed; @param cause the underlying failure or {@code null} */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
