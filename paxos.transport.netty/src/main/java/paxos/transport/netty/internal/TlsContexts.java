package paxos.transport.netty.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import paxos.api.spi.transport.TransportException;

/**
 * The server and client TLS contexts of one node: JDK provider, TLS 1.3/1.2, and client
 * certificates REQUIRED (mutual authentication). Host names are not verified: a peer's
 * certificate must chain to the trust store, and the cluster handshake then proves membership.
 */
public record TlsContexts(SslContext server, SslContext client) {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** @throws TransportException naming the file if a store cannot be read */
    public static TlsContexts load(Path keyStorePath, String keyStorePassword,
                                   Path trustStorePath, String trustStorePassword) {
        KeyStore keys = read(keyStorePath, keyStorePassword, "key store");
        KeyStore trust = read(trustStorePath, trustStorePassword, "trust store");
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyStorePassword.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SslContext server = SslContextBuilder.forServer(kmf).trustManager(tmf).clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK).protocols(PROTOCOLS).build();
            SslContext client = SslContextBuilder.forClient().keyManager(kmf).trustManager(tmf)
                    .endpointIdentificationAlgorithm(null).sslProvider(SslProvider.JDK).protocols(PROTOCOLS).build();
            return new TlsContexts(server, client);
        } catch (GeneralSecurityException | IOException e) {
            throw new TransportException("cannot set up TLS from " + keyStorePath + " and " + trustStorePath
                    + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore read(Path path, String password, String what) {
        try {
            return KeyStore.getInstance(path.toFile(), password.toCharArray());
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) { // IAE: no such file
            throw new TransportException("cannot read TLS " + what + " " + path + ": " + e.getMessage(), e);
        }
    }
}
