/** Private package of this module; nothing here is exported. */
package paxos.testkit;
