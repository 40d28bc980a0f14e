/**
 * Tools around the embedded node that are not API: {@link paxos.node.tool.NodeProcess}, one node
 * as a process driven over stdin/stdout (multi-process tests, the 3-process benchmark), and its
 * {@link paxos.node.tool.ChecksumStateMachine}. Not exported from the bundle or the JPMS module;
 * run it as {@code java --module-path <jars> -m paxos.impl/paxos.node.tool.NodeProcess ...} or on
 * the class path.
 */
package paxos.node.tool;
