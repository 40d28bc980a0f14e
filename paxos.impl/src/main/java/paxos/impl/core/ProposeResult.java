package paxos.impl.core;

import paxos.api.NotMemberException;
import paxos.api.OverloadedException;
import paxos.api.PaxosException;
import paxos.api.ValueTooLargeException;

/**
 * The immediate answer of {@link GroupCore#propose}: queued (the result arrives later through
 * execution, matched by request ID), or refused at once with a typed reason. A queued proposal
 * gets no further word from the core; the runtime's timeout covers it if it is lost.
 */
public sealed interface ProposeResult {
    /** The proposals were queued. */
    record Queued() implements ProposeResult {}

    /** Nothing was queued. */
    record Refused(Reason reason, String message) implements ProposeResult {
        /** The API exception to complete the callers' stages with. */
        public PaxosException toException() {
            return switch (reason) {
                case VALUE_TOO_LARGE -> new ValueTooLargeException(message);
                case OVERLOADED -> new OverloadedException(message);
                case NOT_MEMBER -> new NotMemberException(message);
            };
        }
    }

    /** Why a proposal was refused. */
    enum Reason {
        /** A value, or a unit's total, exceeds the configured limit. */
        VALUE_TOO_LARGE,
        /** The group's queue is full (count or bytes). */
        OVERLOADED,
        /** This node is not a voter of the group. */
        NOT_MEMBER
    }

    /** The single queued answer. */
    ProposeResult QUEUED = new Queued();
}
