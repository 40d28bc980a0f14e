package paxos.plugins.config.internal;

/**
 * Tells whether anything on this node expects a configuration PID: a Metatype declaration, a
 * registered ManagedService, or an existing ConfigurationAdmin configuration. Used to refuse
 * typos in PUTs unless forced. Called on request threads; must not block for long.
 */
@FunctionalInterface
interface PidCatalog {
    /** True if {@code pid} is known locally. */
    boolean isKnown(String pid);
}
