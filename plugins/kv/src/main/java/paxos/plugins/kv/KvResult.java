package paxos.plugins.kv;

/**
 * What a {@link KvCommand} did, handed back to its proposer as
 * {@link paxos.api.Proposed#result()}.
 *
 * @param status the outcome
 * @param version the key's version after the command ({@link Status#APPLIED}), or its current
 *     version when the command was refused ({@code 0} if absent)
 */
public record KvResult(Status status, long version) {
    /** Outcomes. Refusals are results, not failures: the command was chosen and executed. */
    public enum Status {
        /** The write was applied. */
        APPLIED,
        /** The key's version did not match the command's expected version; nothing changed. */
        VERSION_MISMATCH,
        /** A delete of a key that does not exist; nothing changed. */
        NOT_FOUND,
        /** The bytes were not a valid {@link KvCommand}; nothing changed. */
        INVALID_COMMAND
    }
}
