package paxos.transport.netty;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Key and trust material for mutually authenticated TLS between nodes. Both stores are read with
 * {@link java.security.KeyStore#getInstance(java.io.File, char[])}, so PKCS12 and JKS files both
 * work. The key store holds this node's private key and certificate; the trust store holds the
 * certificates (or the CA) that peers' certificates must chain to. Host names are not checked:
 * any certificate the trust store accepts is a member, and the cluster handshake then names the
 * node.
 *
 * <p>Files are read when {@link NettyTransport#start} runs; a missing or unreadable file fails
 * there with {@link paxos.api.spi.transport.TransportException}.
 *
 * @param keyStorePath this node's key store file
 * @param keyStorePassword password of the key store and of its key entry
 * @param trustStorePath the trust store file
 * @param trustStorePassword password of the trust store
 */
public record TlsStores(Path keyStorePath, String keyStorePassword,
                        Path trustStorePath, String trustStorePassword) {

    /** @throws NullPointerException if any component is null */
    public TlsStores {
        Objects.requireNonNull(keyStorePath, "keyStorePath");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(trustStorePath, "trustStorePath");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    }

    /** Passwords are redacted: configs get logged. */
    @Override
    public String toString() {
        return "TlsStores[keyStorePath=" + keyStorePath + ", trustStorePath=" + trustStorePath + "]";
    }
}
