package paxos.launcher.platform;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.util.tracker.ServiceTracker;
import paxos.api.GroupState;
import paxos.api.GroupStatus;
import paxos.api.PaxosNode;

/**
 * Whether this node serves: the rules behind {@code GET /paxos/ready}. A node is ready when
 * <ol>
 *   <li>every bundle is ACTIVE (fragments RESOLVED): start-up is over (the framework has
 *       reached every bundle's start level) and no plugin is stopped, failed or still starting,
 *       so every deployed plugin has registered its services and servlets,</li>
 *   <li>the engine runs (a {@link PaxosNode} service is registered) and every group is
 *       {@link GroupState#RUNNING} here (not starting, catching up, waiting for a state machine
 *       or failed).</li>
 * </ol>
 * It says nothing about the other nodes: a ready node whose peers are down still answers
 * 503/504 for writes. Any thread; cheap (no I/O).
 */
final class Readiness implements AutoCloseable {
  private final BundleContext context;
  private final ServiceTracker<PaxosNode, PaxosNode> node;

  Readiness(BundleContext context) {
    this.context = context;
    this.node = new ServiceTracker<>(context, PaxosNode.class, null);
    node.open();
  }

  /** Why this node is not ready; empty when it is. */
  List<String> reasons() {
    List<String> reasons = new ArrayList<>();
    for (Bundle b : context.getBundles()) {
      boolean fragment = (b.adapt(BundleRevision.class) != null)
          && (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
      boolean serving = b.getState() == Bundle.ACTIVE || (fragment && b.getState() == Bundle.RESOLVED);
      if (!serving) {
        reasons.add("bundle " + b.getSymbolicName() + " " + b.getVersion() + " is " + stateName(b.getState()));
      }
    }
    PaxosNode paxos = node.getService();
    if (paxos == null) {
      reasons.add("the Paxos node is not running (no paxos.node configuration yet, or it was rejected)");
    } else {
      for (int g = 0; g < paxos.groupCount(); g++) {
        GroupStatus status = paxos.status(g);
        if (status.state() != GroupState.RUNNING) {
          reasons.add("group " + g + " is " + status.state()
              + (status.waitingFor().isEmpty() ? "" : ", waiting for state machine(s) " + status.waitingFor()));
        }
      }
    }
    return reasons;
  }

  private static String stateName(int state) {
    return switch (state) {
      case Bundle.INSTALLED -> "INSTALLED";
      case Bundle.RESOLVED -> "RESOLVED";
      case Bundle.STARTING -> "STARTING";
      case Bundle.STOPPING -> "STOPPING";
      case Bundle.UNINSTALLED -> "UNINSTALLED";
      default -> "in state " + state;
    };
  }

  @Override
  public void close() {
    node.close();
  }
}
