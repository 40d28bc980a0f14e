package paxos.impl.runtime;

import java.util.concurrent.CompletableFuture;
import paxos.impl.exec.ExecOutcome;

/**
 * A caller on this node waiting for one of its commands to execute here.
 *
 * @param future completed with the command's outcome, or failed with a PaxosException
 */
record Waiter(CompletableFuture<ExecOutcome.Completed> future) {}
