package paxos.plugins.config.internal;

import java.io.IOException;
import java.util.Arrays;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import paxos.plugins.config.ConfigCommand;

/**
 * Knows a PID if a ManagedService or ManagedServiceFactory is registered under it, if
 * ConfigurationAdmin holds a configuration for it, or if any bundle's Metatype declares it (as a
 * PID or factory PID). The optional services are set and cleared by the component as they come
 * and go; without them only the service registry is consulted.
 */
final class OsgiPidCatalog implements PidCatalog {
    private final BundleContext context;
    volatile MetaTypeService metaType;
    volatile ConfigurationAdmin configAdmin;

    OsgiPidCatalog(BundleContext context) {
        this.context = context;
    }

    @Override
    public boolean isKnown(String pid) {
        if (!ConfigCommand.isValidPid(pid)) return false; // PIDs go into filters unescaped
        String filter = "(" + Constants.SERVICE_PID + "=" + pid + ")";
        try {
            if (context.getAllServiceReferences("org.osgi.service.cm.ManagedService", filter) != null) return true;
            if (context.getAllServiceReferences("org.osgi.service.cm.ManagedServiceFactory", filter) != null) return true;
            ConfigurationAdmin cm = configAdmin;
            if (cm != null && cm.listConfigurations(filter) != null) return true;
        } catch (InvalidSyntaxException | IOException | IllegalStateException e) {
            // fall through to Metatype; an unknown answer only means "use force"
        }
        MetaTypeService mts = metaType;
        if (mts == null) return false;
        for (Bundle b : context.getBundles()) {
            try {
                MetaTypeInformation info = mts.getMetaTypeInformation(b);
                if (info == null) continue;
                if (contains(info.getPids(), pid) || contains(info.getFactoryPids(), pid)) return true;
            } catch (RuntimeException e) {
                // a bundle that went away while we looked: skip it
            }
        }
        return false;
    }


    private static boolean contains(String[] pids, String pid) {
        return pids != null && Arrays.asList(pids).contains(pid);
    }
}
