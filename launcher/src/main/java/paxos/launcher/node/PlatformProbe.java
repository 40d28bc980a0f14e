package paxos.launcher.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * Small checks the launchers make around a node: where the platform jar is, whether a port is
 * free, whether a node's web console answers. Stateless; any thread.
 */
public final class PlatformProbe {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private PlatformProbe() {
  }

  /**
   * The exported platform jar: system property {@code paxos.platform.jar} if set, else
   * {@code platform.jar} beside this module's classes ({@code launcher/target/}).
   *
   * @throws IllegalStateException if it does not exist (the module was not packaged)
   */
  public static Path platformJar() {
    String configured = System.getProperty("paxos.platform.jar");
    Path jar;
    if (configured != null) {
      jar = Path.of(configured);
    } else {
      try {
        Path classes = Path.of(PlatformProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = classes.getParent().resolve("platform.jar");
      } catch (Exception e) {
        throw new IllegalStateException("cannot locate the launcher's classes; set -Dpaxos.platform.jar", e);
      }
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist; build it with: mvn -B package -pl launcher -am");
    }
    return jar.toAbsolutePath();
  }

  /** Whether nothing listens on {@code host:port} now (a later start can still race). */
  public static boolean portFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The HTTP status of GET {@code path} on the node's console host/port with basic auth, or -1
   * if nothing answers. Bounded: 2 s to connect, 5 s for the answer.
   */
  public static int status(NodeSettings node, String path, String user, String password) {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://" + node.httpHost() + ":" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(5))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (user + ":" + password).getBytes(StandardCharsets.UTF_8)))
        .GET().build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * The node's {@code GET /paxos/ready} (no login): status and body, or status -1 if nothing
   * answers. 200 when the engine and every deployed plugin serve, 503 with the reasons while not.
   */
  public static Readiness readiness(NodeSettings node) {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://" + node.httpHost() + ":" + node.httpPort() + "/paxos/ready"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Readiness(response.statusCode(), response.body().trim());
    } catch (IOException e) {
      return new Readiness(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Readiness(-1, "interrupted");
    }
  }

  /** An answer of {@code /paxos/ready}. */
  public record Readiness(int status, String body) {
    /** Whether the node said it is ready. */
    public boolean ready() {
      return status == 200;
    }
  }

  /** Whether the node's web console answers its configured login with 200. */
  public static boolean consoleUp(NodeSettings node) {
    return status(node, "/system/console/bundles.json", node.consoleUser(), node.consolePassword()) == 200;
  }
}
