/**
 * The transport SPI: how nodes exchange the engine's messages. The engine encodes its messages
 * to bytes itself (a versioned codec in {@code paxos.impl}); a transport moves opaque messages
 * between nodes of one cluster, authenticating peers and bounding memory. Implemented on Netty
 * ({@code paxos.transport.netty}) and by the simulator's network.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.6.0")
package paxos.api.spi.transport;
