/**
 * The public API of the Paxos platform: proposing values to a replicated group, reading with a
 * stated consistency, observing group status, master and membership.
 *
 * <p>Vocabulary used across the API:
 * <ul>
 *   <li><b>Group</b> — one independent Multi-Paxos log, numbered {@code 0 .. groupCount-1} on a node.
 *       Groups share the node's transport and storage but never each other's order.</li>
 *   <li><b>Instance</b> — one position of a group's log, numbered from {@code 0}. Exactly one value
 *       is ever chosen per instance. One instance carries a <em>batch</em> of commands.</li>
 *   <li><b>Index</b> — the position of a command inside its instance's batch, from {@code 0}.</li>
 *   <li><b>State machine ID</b> — routes a command to the state machine that executes it
 *       ({@code 1..65535}; {@code 0} is reserved for the engine's own system commands).</li>
 * </ul>
 * Failures are reported as subclasses of {@link paxos.api.PaxosException}, delivered through the
 * returned {@link java.util.concurrent.CompletionStage}s, never thrown from the I/O threads.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package paxos.api;
