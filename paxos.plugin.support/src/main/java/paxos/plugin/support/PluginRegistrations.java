package paxos.plugin.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The front ends a plugin registers while a {@link paxos.api.PaxosNode} is available: a servlet on
 * the HTTP whiteboard and Gogo commands. Unregisters them all at once (node gone, deactivate).
 * Not thread-safe: call from the component's synchronized bind/unbind methods.
 */
public final class PluginRegistrations {
    private final BundleContext context;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    public PluginRegistrations(BundleContext context) {
        this.context = context;
    }

    /** Registers {@code servlet} (a {@code jakarta.servlet.Servlet}) for the URL patterns, named {@code name}. */
    public void servlet(Object servlet, String name, String... patterns) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", patterns.length == 1 ? patterns[0] : patterns);
        props.put("osgi.http.whiteboard.servlet.name", name);
        registrations.add(context.registerService("jakarta.servlet.Servlet", servlet, props));
    }

    /** Registers the public methods {@code functions} of {@code commands} as Gogo commands {@code scope:function}. */
    public void gogo(Object commands, String scope, String... functions) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", scope);
        props.put("osgi.command.function", functions);
        registrations.add(context.registerService(commands.getClass().getName(), commands, props));
    }

    /** Unregisters everything registered so far; tolerates registrations the framework already removed. */
    public void unregisterAll() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the stopping bundle
            }
        }
        registrations.clear();
    }

    /**
     * Where a plugin's data lives: {@code configured} if not blank, else
     * {@code <paxos.data.dir>/statemachines/<name>} (framework property; {@code data} if unset).
     * Outside the bundle's storage area, which uninstall deletes: undeploy and redeploy resume
     * where the store stopped.
     */
    public static Path dataDirectory(BundleContext context, String configured, String name) {
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        String base = context.getProperty("paxos.data.dir");
        return Path.of(base == null ? "data" : base, "statemachines", name);
    }
}
