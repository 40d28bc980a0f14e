/**
 * The engine in OSGi: the node as a Declarative Services component configured through
 * ConfigAdmin/Metatype, the state machine whiteboard, the status REST resource, the web console
 * page and the Gogo commands. Private to the engine bundle.
 */
package paxos.impl.osgi;
