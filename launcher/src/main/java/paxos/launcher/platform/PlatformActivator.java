package paxos.launcher.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/**
 * The one piece of launcher code that runs inside the platform (bundle {@code paxos.launcher},
 * start level 1). It does two things the bnd executable-jar launcher does not:
 * <ul>
 *   <li>Stops the framework cleanly when the JVM is asked to exit (SIGTERM, SIGINT, Ctrl-C,
 *       {@code Process.destroy()}): a JVM shutdown hook stops the system bundle and waits for it,
 *       at most {@link #STOP_TIMEOUT_MILLIS}, so every bundle's deactivate/stop runs (the engine
 *       closes its log files, the transport its sockets).</li>
 *   <li>After that clean stop, removes the node's pid file (system property
 *       {@code paxos.pidFile}, set by the launcher), so that a pid file left behind means the
 *       node did not exit cleanly.</li>
 *   <li>Keeps the start quiet: SPI Fly announces every provider it registers at INFO through
 *       java.util.logging; those loggers are raised to WARNING.</li>
 *   <li>Readiness: {@code GET /paxos/ready} ({@link Readiness}), and a {@code 503 Retry-After}
 *       fallback for the plugins' REST paths {@code /kv/*} and {@code /config/*} and for {@code /paxos/health}
 *       and {@code /paxos/members}
 *       ({@link NotReadyServlet}), registered before the HTTP server starts.</li>
 * </ul>
 * Called by the framework on its start/stop thread. Stopping the bundle alone (e.g. from the
 * web console) removes the hook; it does not stop the framework.
 */
public final class PlatformActivator implements BundleActivator {

  /** Upper bound on a clean framework stop at JVM exit; after it the JVM exits anyway. */
  public static final long STOP_TIMEOUT_MILLIS = 30_000;

  // strong reference: java.util.logging keeps loggers weakly, and a collected logger forgets
  // its level
  private static final Logger SPI_FLY_LOG = Logger.getLogger("org.apache.aries.spifly");

  private Thread shutdownHook;
  private Readiness readiness;
  private final List<ServiceRegistration<?>> servlets = new ArrayList<>();

  @Override
  public void start(BundleContext context) {
    SPI_FLY_LOG.setLevel(Level.WARNING);
    Bundle systemBundle = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
    shutdownHook = new Thread(() -> stopFramework(systemBundle), "paxos-platform-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    readiness = new Readiness(context);
    servlets.add(ReadyServlet.register(context, readiness));
    servlets.add(NotReadyServlet.register(context, "/kv/*", "KV service"));
    servlets.add(NotReadyServlet.register(context, "/config/*", "config store"));
    // shadowed by the engine's health servlet while the engine runs: a 503, never a 404, without it
    servlets.add(NotReadyServlet.register(context, "/paxos/health", "Paxos engine (health checks)"));
    servlets.add(NotReadyServlet.register(context, "/paxos/members/*", "Paxos engine (membership)"));
  }

  @Override
  public void stop(BundleContext context) {
    servlets.forEach(ServiceRegistration::unregister);
    servlets.clear();
    readiness.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook itself is stopping the framework: nothing to undo
    }
  }

  /** A clean exit removes the launcher's pid file (see paxos.launcher.node.PidFile), if it names this JVM. */
  private static void removePidFile() {
    String file = System.getProperty("paxos.pidFile");
    if (file == null) {
      return;
    }
    Path path = Path.of(file);
    try {
      if (Files.readString(path).contains("pid=" + ProcessHandle.current().pid() + "\n")) {
        Files.delete(path);
      }
    } catch (IOException e) {
      // already gone, or not ours to remove
    }
  }

  private static void stopFramework(Bundle systemBundle) {
    long startNanos = System.nanoTime();
    try {
      systemBundle.stop();
      if (systemBundle instanceof Framework framework) {
        framework.waitForStop(STOP_TIMEOUT_MILLIS);
      }
      long millis = (System.nanoTime() - startNanos) / 1_000_000;
      // System.err, not System.Logger: java.util.logging closes its handlers in its own
      // shutdown hook, concurrently with this one, and the line would be lost
      System.err.println("paxos platform: framework stopped in " + millis + " ms");
      removePidFile();
    } catch (Exception | Error e) {
      System.err.println("paxos platform: clean framework stop failed: " + e);
    }
  }
}
