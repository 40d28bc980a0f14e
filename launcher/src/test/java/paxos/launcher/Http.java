package paxos.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/**
 * curl-like HTTP for the integration tests, always to 127.0.0.1 with bounded timeouts. A
 * connection failure or timeout is a {@link Reply} with status -1 (so Awaitility can poll).
 */
final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

  /** One answer; status -1 means nothing answered in time (then headers are empty). */
  record Reply(int status, String body, String etag, String location, Map<String, java.util.List<String>> headers) {
    /** The first value of header {@code name} (case-insensitive), or null. */
    String header(String name) {
      return java.net.http.HttpHeaders.of(headers, (k, v) -> true).firstValue(name).orElse(null);
    }

    /** X-Paxos-Instance: the executed instance a KV answer was served at, or null. */
    String instance() {
      return header("X-Paxos-Instance");
    }

    @Override
    public String toString() {
      return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body).trim();
    }
  }

  private final int port;
  private final String authorization;

  /** Without credentials (the KV and status resources). */
  Http(int port) {
    this(port, null, null);
  }

  /** With basic auth (the web console). */
  Http(int port, String user, String password) {
    this.port = port;
    this.authorization = user == null ? null : "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  int port() {
    return port;
  }

  Reply get(String path) {
    return send("GET", path, null, null, null);
  }

  Reply put(String path, String body) {
    return send("PUT", path, body, null, null);
  }

  Reply delete(String path) {
    return send("DELETE", path, null, null, null);
  }

  /** POST {@code application/x-www-form-urlencoded}. */
  Reply postForm(String path, Map<String, String> form) {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return send("POST", path, body.toString(), "application/x-www-form-urlencoded", null);
  }

  Reply send(String method, String path, String body, String contentType, String ifMatch) {
    return send(method, path, body, contentType, ifMatch, Map.of());
  }

  /** Like {@link #send(String, String, String, String, String)} with further request headers. */
  Reply send(String method, String path, String body, String contentType, String ifMatch, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(),
          response.headers().firstValue("ETag").orElse(null),
          response.headers().firstValue("Location").orElse(null), response.headers().map());
    } catch (IOException e) {
      return new Reply(-1, e.toString(), null, null, Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply(-1, "interrupted", null, null, Map.of());
    }
  }
}
