/** A small, bounded JSON reader and writer for flat objects (no dependency to embed). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package paxos.plugin.support.json;
