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
