package paxos.impl.osgi;

import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * HTTP Basic authentication with the web console's credentials (framework properties
 * {@code felix.webconsole.username} / {@code felix.webconsole.password}, clear or
 * {@code {sha-256}}Base64 as the launcher sets them; {@code admin}/{@code admin} like the console
 * when unset), in the console's realm so a browser logged into the console reuses its login.
 * Shared by the endpoints that change the cluster (commands, membership). Immutable.
 */
final class BasicAuth {
    private final String user;
    private final String password;

    BasicAuth(String user, String password) {
        this.user = user == null ? "admin" : user;
        this.password = password == null ? "admin" : password;
    }

    /** The 401 answer, with the console's realm set on {@code resp}. */
    static CommandResource.Answer challenge(HttpServletResponse resp) {
        resp.setHeader("WWW-Authenticate", "Basic realm=\"OSGi Management Console\"");
        return CommandResource.problem(401, "Unauthorized", "log in with the web console's credentials");
    }

    /** Compares in constant time; the stored password may be clear text or {@code {sha-256}}Base64. */
    boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return false;
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = pair.indexOf(':');
        if (colon < 0) return false;
        String given = pair.substring(colon + 1);
        byte[] expected = password.getBytes(StandardCharsets.UTF_8);
        byte[] actual = given.getBytes(StandardCharsets.UTF_8);
        if (password.regionMatches(true, 0, "{sha-256}", 0, 9)) {
            actual = ("{sha-256}" + Base64.getEncoder().encodeToString(sha256(actual))).getBytes(StandardCharsets.UTF_8);
            expected = ("{sha-256}" + password.substring(9)).getBytes(StandardCharsets.UTF_8);
        }
        boolean userOk = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                pair.substring(0, colon).getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, actual) & userOk;
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
