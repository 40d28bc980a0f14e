package paxos.transport.netty.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster handshake: a challenge-response over the shared cluster secret with fresh nonces
 * from both sides, so that neither side can be impersonated by replaying a recorded handshake.
 * <pre>
 *   client -> CLIENT_HELLO  clusterId, clientNodeId, serverNodeId (as the client expects it), clientNonce,
 *                           clientIncarnation
 *   server -> SERVER_HELLO  serverNodeId, serverNonce, HMAC(secret, "server" | transcript | clientIncarnation)
 *   client -> CLIENT_AUTH   HMAC(secret, "client" | transcript)
 *   server -> SERVER_ACCEPT (empty)
 *   transcript = clusterId | clientNodeId | serverNodeId | clientNonce | serverNonce
 * </pre>
 * The client's incarnation ({@value #INCARNATION_BYTES} random bytes made when its data directory
 * was created, all zero if it has none) is covered by the server's MAC, so a client whose hello
 * was altered on the way aborts the handshake.
 * The role labels keep a MAC from one role being reflected as the other's. Payloads travel in
 * ordinary {@link Frame}s (group 0), so they get the same length cap and CRC checks.
 * Stateless apart from the key; thread-safe.
 */
public final class Handshake {
    public static final int NONCE_BYTES = 32;
    public static final int MAC_BYTES = 32;
    /** Length of an incarnation on the wire. */
    public static final int INCARNATION_BYTES = 16;
    private static final byte[] SERVER_LABEL = "paxos-transport/1 server".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLIENT_LABEL = "paxos-transport/1 client".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String clusterId;
    private final byte[] incarnation;

    public Handshake(byte[] clusterSecret, String clusterId) {
        this(clusterSecret, clusterId, new byte[INCARNATION_BYTES]);
    }

    /** @param incarnation this node's, sent in its client hellos; {@value #INCARNATION_BYTES} bytes */
    public Handshake(byte[] clusterSecret, String clusterId, byte[] incarnation) {
        if (incarnation.length != INCARNATION_BYTES)
            throw new IllegalArgumentException("incarnation of " + incarnation.length + " bytes");
        this.key = new SecretKeySpec(clusterSecret, "HmacSHA256");
        this.clusterId = clusterId;
        this.incarnation = incarnation.clone();
    }

    /** This node's incarnation (a copy). */
    public byte[] incarnation() {
        return incarnation.clone();
    }

    public String clusterId() {
        return clusterId;
    }

    /** A fresh random nonce. */
    public static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** What the client sends first; {@code incarnation} is {@value #INCARNATION_BYTES} bytes. */
    public record ClientHello(String clusterId, int clientNodeId, int serverNodeId, byte[] clientNonce,
                              byte[] incarnation) {
        /** A hello without an incarnation (all zero). */
        public ClientHello(String clusterId, int clientNodeId, int serverNodeId, byte[] clientNonce) {
            this(clusterId, clientNodeId, serverNodeId, clientNonce, new byte[INCARNATION_BYTES]);
        }

        public byte[] encode() {
            byte[] id = clusterId.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(2 + id.length + 8 + NONCE_BYTES + INCARNATION_BYTES).putShort((short) id.length)
                    .put(id).putInt(clientNodeId).putInt(serverNodeId).put(clientNonce).put(incarnation).array();
        }

        /** @throws IllegalArgumentException if malformed */
        public static ClientHello decode(byte[] body) {
            ByteBuffer in = ByteBuffer.wrap(body);
            try {
                int idLength = Short.toUnsignedInt(in.getShort());
                if (idLength > 255) throw new IllegalArgumentException("cluster ID too long: " + idLength);
                byte[] id = new byte[idLength];
                in.get(id);
                int client = in.getInt();
                int server = in.getInt();
                byte[] nonce = new byte[NONCE_BYTES];
                in.get(nonce);
                byte[] incarnation = new byte[INCARNATION_BYTES];
                in.get(incarnation);
                if (in.hasRemaining()) throw new IllegalArgumentException("trailing bytes in client hello");
                return new ClientHello(new String(id, StandardCharsets.UTF_8), client, server, nonce, incarnation);
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("truncated client hello");
            }
        }
    }

    /** The server's answer: its nonce and its proof of the secret. */
    public record ServerHello(int serverNodeId, byte[] serverNonce, byte[] serverMac) {
        public byte[] encode() {
            return ByteBuffer.allocate(4 + NONCE_BYTES + MAC_BYTES).putInt(serverNodeId).put(serverNonce)
                    .put(serverMac).array();
        }

        /** @throws IllegalArgumentException if malformed */
        public static ServerHello decode(byte[] body) {
            if (body.length != 4 + NONCE_BYTES + MAC_BYTES) {
                throw new IllegalArgumentException("server hello of " + body.length + " bytes");
            }
            ByteBuffer in = ByteBuffer.wrap(body);
            int server = in.getInt();
            byte[] nonce = new byte[NONCE_BYTES];
            byte[] mac = new byte[MAC_BYTES];
            in.get(nonce).get(mac);
            return new ServerHello(server, nonce, mac);
        }
    }

    /** The server's proof for {@code hello} and its own nonce. */
    public byte[] serverMac(ClientHello hello, int serverNodeId, byte[] serverNonce) {
        return mac(SERVER_LABEL, hello.clientNodeId(), serverNodeId, hello.clientNonce(), serverNonce,
                hello.incarnation());
    }

    /** The client's proof, over both nonces. */
    public byte[] clientMac(int clientNodeId, int serverNodeId, byte[] clientNonce, byte[] serverNonce) {
        return mac(CLIENT_LABEL, clientNodeId, serverNodeId, clientNonce, serverNonce, new byte[0]);
    }

    /** Constant-time comparison, so timing tells an attacker nothing about the expected MAC. */
    public static boolean macEquals(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] mac(byte[] label, int clientNodeId, int serverNodeId, byte[] clientNonce, byte[] serverNonce,
                       byte[] incarnation) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(label);
            byte[] id = clusterId.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4 + id.length + 8).putInt(id.length).put(id)
                    .putInt(clientNodeId).putInt(serverNodeId).array());
            mac.update(clientNonce);
            mac.update(serverNonce);
            mac.update(incarnation);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }
}
