/** Private implementation of the Netty transport: framing, handshake, connections. Not exported. */
package paxos.transport.netty.internal;
