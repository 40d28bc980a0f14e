/**
 * The state machine SPI, implemented by plugin bundles (and by users of the embedded node).
 *
 * <p>A state machine is registered as an OSGi service of type {@link paxos.api.statemachine.StateMachine}
 * with the service properties named in {@link paxos.api.statemachine.StateMachineProperties}
 * (see {@link paxos.api.statemachine.StateMachineService} for a typed annotation). The engine
 * tracks these services: while a group's state machine is absent, that group's execution waits
 * (values are never skipped), and other groups continue.
 *
 * <p><b>Restart contract.</b> On start a state machine restores its state from its own durable
 * files and reports, through {@link paxos.api.statemachine.StateMachine#checkpointInstance(int)},
 * the last instance whose whole batch those files contain. The engine then replays the retained
 * log from that instance + 1. Because a whole instance is delivered in one
 * {@link paxos.api.statemachine.StateMachine#execute} call, a state machine that writes the
 * effects of a call and the call's instance ID atomically can never report a position that covers
 * part of a batch.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package paxos.api.statemachine;
