/**
 * The config store plugin's public types: the command encoding clients propose (state machine
 * ID {@code 2}, group {@code 0}), the property codec, and the results they get back. A
 * replicated store of named configurations (PID to properties) with per-PID versions and
 * compare-and-set, which every node applies to its local OSGi ConfigurationAdmin.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugins.config;
