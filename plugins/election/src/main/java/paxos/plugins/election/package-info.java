/**
 * Master election with leases, per group: the {@link paxos.plugins.election.MasterElection}
 * service, {@link paxos.plugins.election.MasterListener} whiteboard callbacks, and
 * {@link paxos.plugins.election.MasterElector}, the plain-Java elector an embedded node uses
 * without OSGi.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugins.election;
