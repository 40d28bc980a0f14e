package paxos.api.statemachine;

/**
 * Service property names under which a {@link StateMachine} service declares where it belongs.
 * Constants only.
 */
public final class StateMachineProperties {
    private StateMachineProperties() {}

    /**
     * The state machine ID ({@code Integer}, {@code 1..65535}); unique within each of its groups.
     * Required: a service without it is ignored with one log line.
     */
    public static final String STATE_MACHINE_ID = "paxos.statemachine.id";

    /**
     * The groups the state machine serves ({@code Integer}, {@code int[]} or {@code Integer[]});
     * one object may serve several groups: it then receives each group's calls on that group's thread (never concurrently within one group, concurrently across groups) and keeps a separate state and position per group. Absent or empty means every group of the node.
     */
    public static final String GROUPS = "paxos.statemachine.groups";

    /**
     * The state machine's version ({@code String}, 1..64 characters of {@code [0-9A-Za-z._+-]});
     * optional, default: the providing bundle's version (embedded nodes: {@code "0"}). Services
     * with the same ID and different versions may be registered side by side; each group executes
     * the ID only with the version activated in its log ({@link paxos.api.PaxosNode#activateVersion}).
     * The first registration of an ID in a group activates its version automatically.
     */
    public static final String VERSION = "paxos.statemachine.version";

    /** A human-readable name shown on the status page ({@code String}); optional. */
    public static final String NAME = "paxos.statemachine.name";
}
