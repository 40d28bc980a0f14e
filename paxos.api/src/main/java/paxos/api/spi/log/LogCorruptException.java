package paxos.api.spi.log;

/**
 * A record failed its checksum or framing check somewhere other than the torn tail that recovery
 * truncates. The message names the file and offset. The affected group must refuse to start
 * rather than serve a possibly wrong value; other groups are unaffected.
 */
public class LogCorruptException extends LogException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed; @param cause the underlying failure or {@code null} */
    public LogCorruptException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed */
    public LogCorruptException(String message) {
        super(message, null);
    }
}
