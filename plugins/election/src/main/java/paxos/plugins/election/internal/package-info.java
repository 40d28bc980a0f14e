/** Private implementation package of this bundle; nothing here is exported. */
package paxos.plugins.election.internal;
