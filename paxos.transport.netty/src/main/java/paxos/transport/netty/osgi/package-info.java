/** The OSGi Declarative Services component of the Netty transport; private to the bundle. */
package paxos.transport.netty.osgi;
