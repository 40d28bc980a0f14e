/** The versioned binary wire codec of the core's messages. Private to the engine. */
package paxos.impl.codec;
