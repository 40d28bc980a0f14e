package paxos.launcher;

import java.io.ByteArrayOutputStream;
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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Helpers shared by the launcher's integration tests: free ports, HTTP, bundle jars. */
final class TestSupport {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern FLAT_OBJECT = Pattern.compile("\\{[^{}\\[\\]]*\"symbolicName\"[^{}\\[\\]]*\\}");

  private TestSupport() {
  }

  /**
   * JVM options for every platform JVM the tests start (a node of {@link LocalCluster}, of a demo,
   * the single node of PlatformJarIT): the C1 compiler only and the serial collector. Three
   * platform JVMs starting at once on a 2-core machine spent much of their CPU in C2 compilations
   * that a test of seconds never profits from; a 3-node cluster was ready in 28-40 s with these
   * flags against 90-99 s without, back to back at load average 15-28 (StartStopProbe, see the
   * commit). What runs is the same platform; only how HotSpot compiles it differs.
   */
  static final List<String> NODE_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** {@code options} followed by {@link #NODE_JVM_OPTIONS}. */
  static List<String> nodeJvmOptions(String... options) {
    List<String> all = new ArrayList<>(List.of(options));
    all.addAll(NODE_JVM_OPTIONS);
    return all;
  }

  /**
   * The launcher command {@code ./paxos demo} runs (Demo on this class path), its node JVMs with
   * {@link #NODE_JVM_OPTIONS}: through {@code JDK_JAVA_OPTIONS}, which the demo's JVM and the node
   * JVMs it starts read (each prints a line "Picked up JDK_JAVA_OPTIONS" to its output).
   */
  static ProcessBuilder demo(List<String> prefix, List<String> flags) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"),
        "-Dpaxos.platform.jar=" + paxos.launcher.node.PlatformProbe.platformJar(), Demo.class.getName()));
    command.addAll(flags);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("JDK_JAVA_OPTIONS", String.join(" ", NODE_JVM_OPTIONS));
    return builder;
  }

  /** Awaitility polling every 250 ms; every use sets its own bound with atMost. */
  static ConditionFactory await() {
    return Awaitility.await().pollInterval(Duration.ofMillis(250)).pollDelay(Duration.ZERO);
  }

  /** {@code count} distinct ports that were free on 127.0.0.1 a moment ago. */
  static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** GET with basic auth; the body, or null if the status is not 200 or nothing answers. */
  static String get(int port, String path, String user, String password) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5))
        .header("Authorization", "Basic " + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
        .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** One bundle from the web console's bundles.json. */
  record BundleRow(String symbolicName, String state, boolean fragment) {
    boolean activeOrResolvedFragment() {
      return state.equals("Active") || (fragment && state.equals("Resolved"));
    }
  }

  /** The bundles of {@code /system/console/bundles.json} (its flat per-bundle objects). */
  static List<BundleRow> bundles(String json) {
    List<BundleRow> rows = new ArrayList<>();
    Matcher matcher = FLAT_OBJECT.matcher(json);
    while (matcher.find()) {
      String object = matcher.group();
      rows.add(new BundleRow(field(object, "symbolicName"), field(object, "state"),
          object.contains("\"fragment\":true")));
    }
    return rows;
  }

  private static String field(String object, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(object);
    return matcher.find() ? matcher.group(1) : "";
  }

  /**
   * Writes a minimal bundle (manifest only) to {@code folder/fileName}, atomically so that
   * FileInstall never sees half a jar.
   */
  static Path writeBundle(Path folder, String fileName, String symbolicName) throws IOException {
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.putValue("Bundle-ManifestVersion", "2");
    main.putValue("Bundle-SymbolicName", symbolicName);
    main.putValue("Bundle-Version", "1.0.0");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
      jar.flush();
    }
    Path temp = Files.createTempFile(folder.getParent(), symbolicName, ".tmp");
    Files.write(temp, bytes.toByteArray());
    return Files.move(temp, folder.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
  }
}
