/**
 * The transport SPI on Netty: {@link paxos.transport.netty.NettyTransport}, configured by
 * {@link paxos.transport.netty.NettyTransportConfig}. Its own bundle so that the engine and the
 * simulator run without Netty; everything but these two types (and {@link
 * paxos.transport.netty.TlsStores}) lives in the private {@code internal} package.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.transport.netty;
