/**
 * HTTP plumbing for a plugin's REST resource: an answer type with the {@code X-Paxos-Instance} and
 * {@code ETag} headers, engine failures mapped to status codes (timeout 504, overload and
 * unavailable 503, ...), bounded request bodies, and problem+json errors (RFC 9457) for new resources.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugin.support.http;
