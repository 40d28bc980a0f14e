package paxos.plugins.config.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeService;
import paxos.api.Proposal;
import paxos.api.statemachine.Command;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigProperties;

/**
 * The ConfigAdmin bridge in a real Felix framework with the real Felix SCR, ConfigAdmin and
 * Metatype, and this module's bundle as built. The test plays the engine: it finds the state
 * machine service (id 2) and executes batches on it, as the engine's execution thread would.
 * paxos.api and the ConfigAdmin API are exported by the system bundle so that the test and the
 * bundles share those classes.
 */
class ConfigBridgeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path dir;
    private Framework framework;
    private Bundle plugin;
    private long nextInstance;

    @AfterEach
    void stop() throws Exception {
        stopFramework();
    }

    @Test
    void executedPutBecomesAConfigurationAndDeleteRemovesIt() throws Exception {
        startFramework("cache-1");
        execute(ConfigCommand.put("it.alpha", Map.of("port", 8080, "hosts", new String[] {"a", "b"}, "on", true)));
        Configuration c = awaitConfiguration("it.alpha", 1);
        Dictionary<String, Object> p = c.getProperties();
        assertEquals(8080, p.get("port"));
        assertTrue(ConfigProperties.sameContent(Map.of("h", new String[] {"a", "b"}), Map.of("h", p.get("hosts"))));
        assertEquals(true, p.get("on"));

        execute(ConfigCommand.put("it.alpha", Map.of("port", 9090)));
        assertEquals(9090, awaitConfiguration("it.alpha", 2).getProperties().get("port"));
        assertNull(awaitConfiguration("it.alpha", 2).getProperties().get("on"), "PUT replaces all properties");

        execute(ConfigCommand.delete("it.alpha"));
        await().atMost(WAIT).until(() -> find("it.alpha") == null);
    }

    @Test
    void manyWritesLandInOrderWithTheLastVersion() throws Exception {
        startFramework("cache-1");
        List<ConfigCommand> batch = new ArrayList<>();
        for (int i = 1; i <= 200; i++) batch.add(ConfigCommand.put("it.counter", Map.of("n", (long) i)));
        execute(batch.toArray(ConfigCommand[]::new));
        execute(ConfigCommand.put("it.counter", Map.of("n", 201L)));
        assertEquals(201L, awaitConfiguration("it.counter", 201).getProperties().get("n"));
    }

    @Test
    void startReconcilesStoredEntriesAfterConfigAdminLostThemOrTheStoreMovedOn() throws Exception {
        startFramework("cache-1");
        execute(ConfigCommand.put("it.a", Map.of("k", "a")), ConfigCommand.put("it.b", Map.of("k", "b")));
        awaitConfiguration("it.b", 2);
        stopFramework();

        // a new node process whose ConfigAdmin storage is empty, over the same store
        startFramework("cache-2");
        assertEquals("a", awaitConfiguration("it.a", 1).getProperties().get("k"));
        assertEquals("b", awaitConfiguration("it.b", 2).getProperties().get("k"));

        // the node is down while the store moves on (as when the engine replays or installs a checkpoint)
        plugin.stop();
        try (ConfigStateMachine store = new ConfigStateMachine(dir.resolve("data/statemachines/config"))) {
            store.execute(batch(store.checkpointInstance(0) + 1,
                    ConfigCommand.delete("it.a"), ConfigCommand.put("it.c", Map.of("k", "c"))), new IgnoredResults());
        }
        assertNotNull(find("it.a"));
        plugin.start();
        assertEquals("c", awaitConfiguration("it.c", 4).getProperties().get("k"));
        await().atMost(WAIT).until(() -> find("it.a") == null);
        assertNotNull(find("it.b"));
    }

    @Test
    void aConflictingLocalEditIsOverwrittenByTheStoreAndOtherPidsAreLeftAlone() throws Exception {
        startFramework("cache-1");
        execute(ConfigCommand.put("it.owned", Map.of("size", 5L)));
        Configuration c = awaitConfiguration("it.owned", 1);

        Hashtable<String, Object> edited = new Hashtable<>();
        edited.put("size", 6L);
        edited.put(ConfigProperties.VERSION_PROPERTY, 1L); // a web console keeps the marker it showed
        c.update(edited);
        await().atMost(WAIT).until(() -> Long.valueOf(5L).equals(find("it.owned").getProperties().get("size")));

        find("it.owned").delete();
        await().atMost(WAIT).until(() -> find("it.owned") != null);
        assertEquals(5L, find("it.owned").getProperties().get("size"));

        Configuration local = configAdmin().getConfiguration("it.local", "?");
        Hashtable<String, Object> mine = new Hashtable<>();
        mine.put("x", "y");
        local.update(mine);
        execute(ConfigCommand.put("it.owned", Map.of("size", 7L))); // a later store write as a barrier for the bridge
        awaitConfiguration("it.owned", 2);
        assertEquals("y", find("it.local").getProperties().get("x"));
    }

    @Test
    void pidCatalogConsultsRealMetatypeAndConfigAdmin() throws Exception {
        startFramework("cache-1");
        BundleContext ctx = framework.getBundleContext();
        OsgiPidCatalog catalog = new OsgiPidCatalog(ctx);
        catalog.configAdmin = configAdmin();
        assertTrue(!catalog.isKnown(ConfigComponent.PID), "without Metatype the plugin's own PID has no configuration yet");
        catalog.metaType = ctx.getService(ctx.getServiceReference(MetaTypeService.class));
        assertTrue(catalog.isKnown(ConfigComponent.PID), "declared by the plugin's Metatype");
        assertTrue(!catalog.isKnown("it.nobody"));
        configAdmin().getConfiguration("it.nobody", "?").update(new Hashtable<>(Map.of("k", "v")));
        assertTrue(catalog.isKnown("it.nobody"), "an existing configuration makes it known");
    }

    // ---- the framework ----

    private void startFramework(String cache) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve(cache).toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // the versions of paxos.api's package-info.java files (the bundle imports [version, 1.0))
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "paxos.api;version=0.4.0,paxos.api.statemachine;version=0.3.0,org.osgi.service.cm;version=1.6.1,org.osgi.service.metatype;version=1.4.1");
        config.put("paxos.data.dir", dir.resolve("data").toString());
        config.put("felix.cm.dir", dir.resolve(cache).resolve("cm").toString());
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        try (Stream<Path> jars = Files.list(Path.of(System.getProperty("paxos.it.bundles")))) {
            for (Path jar : jars.sorted().toList()) bundles.add(ctx.installBundle(jar.toUri().toString()));
        }
        plugin = ctx.installBundle(Path.of(System.getProperty("paxos.it.bundle")).toUri().toString());
        bundles.add(plugin);
        for (Bundle b : bundles) b.start();
        await().atMost(WAIT).until(() -> stateMachine() != null);
    }

    private void stopFramework() throws Exception {
        if (framework == null) return;
        framework.stop();
        framework.waitForStop(WAIT.toMillis());
        framework = null;
    }

    private StateMachine stateMachine() throws Exception {
        ServiceReference<?>[] refs = framework.getBundleContext()
                .getServiceReferences(StateMachine.class.getName(), "(paxos.statemachine.id=2)");
        return refs == null ? null : (StateMachine) framework.getBundleContext().getService(refs[0]);
    }

    private ConfigurationAdmin configAdmin() {
        BundleContext ctx = framework.getBundleContext();
        return ctx.getService(ctx.getServiceReference(ConfigurationAdmin.class));
    }

    /** Executes the commands as one instance, the way the engine's execution thread would. */
    private void execute(ConfigCommand... commands) throws Exception {
        StateMachine sm = stateMachine();
        long instance = Math.max(nextInstance, sm.checkpointInstance(0) + 1);
        nextInstance = instance + 1;
        sm.execute(batch(instance, commands), new IgnoredResults());
    }

    private static ExecutionBatch batch(long instance, ConfigCommand... commands) {
        List<Command> list = new ArrayList<>();
        for (int i = 0; i < commands.length; i++)
            list.add(new Command(instance, i, commands[i].encode(), Proposal.NO_MASTER_CONDITION));
        return new ExecutionBatch(0, instance, list);
    }

    private Configuration find(String pid) throws Exception {
        Configuration[] found = configAdmin().listConfigurations("(service.pid=" + pid + ")");
        return found == null ? null : found[0];
    }

    private Configuration awaitConfiguration(String pid, long version) throws Exception {
        await().atMost(WAIT).until(() -> {
            Configuration c = find(pid);
            return c != null && c.getProperties() != null
                    && Long.valueOf(version).equals(c.getProperties().get(ConfigProperties.VERSION_PROPERTY));
        });
        return find(pid);
    }

    /** Nobody awaits results here. */
    private static final class IgnoredResults implements ExecutionResults {
        @Override public void complete(int index, Object result) {}
        @Override public boolean isAwaited(int index) { return false; }
    }
}
