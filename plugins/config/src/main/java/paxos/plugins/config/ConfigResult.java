package paxos.plugins.config;

/**
 * What a {@link ConfigCommand} did, handed back to its proposer as
 * {@link paxos.api.Proposed#result()}.
 *
 * @param status the outcome
 * @param version the PID's version after the command ({@link Status#APPLIED} PUT), {@code 0}
 *     after an applied DELETE, or the PID's current version when refused ({@code 0} if absent)
 * @param message a short reason for {@link Status#INVALID_COMMAND}, else empty
 */
public record ConfigResult(Status status, long version, String message) {
    /** Outcomes. Refusals are results, not failures: the command was chosen and executed. */
    public enum Status {
        /** The write was applied. */
        APPLIED,
        /** The PID's version did not match the command's expected version; nothing changed. */
        VERSION_MISMATCH,
        /** A delete of a PID that is not stored; nothing changed. */
        NOT_FOUND,
        /** A PUT of a new PID while the store holds {@link ConfigCommand#MAX_ENTRIES} PIDs; nothing changed. */
        STORE_FULL,
        /** The bytes were not a valid {@link ConfigCommand}; nothing changed. */
        INVALID_COMMAND
    }

    /** A result without message. */
    public static ConfigResult of(Status status, long version) {
        return new ConfigResult(status, version, "");
    }
}
