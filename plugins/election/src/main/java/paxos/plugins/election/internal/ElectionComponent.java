package paxos.plugins.election.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import paxos.api.MasterInfo;
import paxos.api.PaxosNode;
import paxos.plugins.election.ElectionSettings;
import paxos.plugins.election.MasterElection;
import paxos.plugins.election.MasterElector;
import paxos.plugins.election.MasterListener;

/**
 * The election in OSGi: a {@link MasterElector} on the running {@link PaxosNode}, registered as
 * {@link MasterElection}; {@link MasterListener} services are called (whiteboard).
 * Immediate: it runs whenever a node runs, whether or not any bundle uses {@link MasterElection}
 * (a delayed component nobody references never activates, and no group would ever get a master).
 */
@Component(service = MasterElection.class, configurationPid = ElectionComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = ElectionComponent.Config.class)
public final class ElectionComponent implements MasterElection {
    /** The configuration PID. */
    public static final String PID = "paxos.plugin.election";

    /** Settings of the election. */
    @ObjectClassDefinition(name = "Paxos master election", description = "Lease-based master per group")
    public @interface Config {
        @AttributeDefinition(name = "Lease (ms)", min = "100", max = "600000")
        long leaseMillis() default 3_000;

        @AttributeDefinition(name = "Clock-drift margin (ms)", min = "1")
        long driftMarginMillis() default 100;

        @AttributeDefinition(name = "Check interval (ms)", min = "10")
        long checkIntervalMillis() default 100;

        @AttributeDefinition(name = "Hold-off after dropping mastership (ms)", min = "0")
        long dropHoldOffMillis() default 6_000;
    }

    private final MasterElector elector;

    @Activate
    public ElectionComponent(@Reference PaxosNode node, Config config) {
        this.elector = new MasterElector(node, new ElectionSettings(config.leaseMillis(), config.driftMarginMillis(),
                config.checkIntervalMillis(), config.dropHoldOffMillis()));
        elector.start();
    }

    @Deactivate
    void deactivate() {
        elector.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(MasterListener l) {
        elector.addListener(l);
    }

    void removeListener(MasterListener l) {
        elector.removeListener(l);
    }

    @Override
    public MasterInfo master(int group) {
        return elector.master(group);
    }

    @Override
    public long version(int group) {
        return elector.version(group);
    }

    @Override
    public boolean isMaster(int group) {
        return elector.isMaster(group);
    }

    @Override
    public void dropMaster(int group) {
        elector.dropMaster(group);
    }
}
