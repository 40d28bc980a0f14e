package paxos.impl.runtime;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import paxos.api.MasterInfo;
import paxos.api.spi.log.LogRecord;
import paxos.api.spi.log.LogStore;
import paxos.api.statemachine.StateMachine;

/**
 * Installs a received checkpoint into one group: retires the group's runner, stops the group's
 * state machines through the {@link StateMachineLifecycle}, swaps their files
 * ({@link CheckpointInstaller}), records the new positions in the log's metadata, starts the
 * state machines again, and puts a runner rebuilt from the store in place — never exiting the
 * process, never touching another group.
 *
 * <p>While it runs, the group is {@linkplain StateMachineRegistry#hold held} in the registry:
 * services that come and go are recorded, and handed to the new runner at the end.
 *
 * <p><b>Threads.</b> {@link #install} on a checkpoint worker thread, one install per group at a
 * time (it blocks: waits for the state machines to stop and register again, up to
 * {@value #REREGISTER_TIMEOUT_MILLIS} ms); installs of different groups run concurrently.
 * {@link #recordCompletedInstall} at start or from {@link #install} of the same group.
 * <b>Failures.</b> Reported as the {@link Result}; a failure after the runner was retired still
 * rebuilds the group, failed if its state machines did not come back as installed.
 */
final class CheckpointInstall {
    private static final System.Logger LOG = System.getLogger(CheckpointInstall.class.getName());
    /** Longest wait for a restarted state machine to register again. */
    static final long REREGISTER_TIMEOUT_MILLIS = 60_000;

    /** How an install ended: {@link TransferOutcome#INSTALLED}, or a failure and why. */
    record Result(TransferOutcome outcome, String detail) {
        static final Result INSTALLED = new Result(TransferOutcome.INSTALLED, null);

        boolean installed() {
            return outcome == TransferOutcome.INSTALLED;
        }

        static Result of(Exception e) {
            TransferOutcome o = e instanceof CheckpointReceiver.TransferException t ? t.outcome() : TransferOutcome.FAILED;
            return new Result(o, e.getMessage());
        }
    }

    private final CheckpointService.Host host;
    private final LogStore store;
    private final StateMachineRegistry registry;
    private final CheckpointInstaller installer;
    private final BooleanSupplier closed;

    CheckpointInstall(CheckpointService.Host host, LogStore store, StateMachineRegistry registry, CheckpointInstaller installer,
                      BooleanSupplier closed) {
        this.host = host;
        this.store = store;
        this.registry = registry;
        this.installer = installer;
        this.closed = closed;
    }

    /**
     * Before the group is rebuilt at start: records the positions of an install that completed
     * just before a crash (the marker says {@code DONE}) in the log's metadata, then drops the marker.
     */
    void recordCompletedInstall(int group) throws IOException {
        Optional<CheckpointInstaller.Completed> done = installer.completed(group);
        if (done.isEmpty()) return;
        CheckpointInstaller.Completed c = done.get();
        writePositions(group, c.ids(), c.positions(), c.master(), c.versions(), c.requests());
        installer.finish(group);
    }

    /** Stops the group's state machines, installs what {@code r} received from {@code peer}, starts them, and resumes the group. */
    Result install(int group, CheckpointReceiver r, int peer, StateMachineLifecycle lifecycle) {
        List<CheckpointInstaller.Target> targets = r.targets();
        List<Integer> ids = targets.stream().map(CheckpointInstaller.Target::stateMachineId).toList();
        List<Long> positions = ids.stream().map(r::instanceOf).toList();
        Result outcome = Result.INSTALLED;
        List<Integer> stopped = new ArrayList<>();
        boolean runnerRetired = false;
        try {
            if (!registry.machines(group).keySet().equals(new TreeSet<>(ids)))
                throw new CheckpointReceiver.TransferException(TransferOutcome.UNSUPPORTED, "state machines here "
                        + registry.machines(group).keySet() + " differ from the checkpoint's " + ids);
            GroupRunner old = host.runner(group);
            registry.hold(group);
            old.retire("group " + group + " is installing a checkpoint");
            runnerRetired = true;
            for (int id : ids) old.unregister(registry.inForce(group, id)).get(30, TimeUnit.SECONDS);
            for (int id : ids) {
                lifecycle.stop(group, id);
                stopped.add(id);
                registry.removeInForce(group, id);
            }
            try {
                installer.install(group, targets, positions, r.master(), r.versions(), r.requests());
            } catch (IOException | RuntimeException e) {
                installer.recoverFiles(group); // roll back what the failed install left
                throw e;
            }
            writePositions(group, ids, positions, r.master(), r.versions(), r.requests());
            writeMembership(group, r.membership());
            installer.finish(group);
        } catch (Exception e) {
            outcome = Result.of(e);
            r.discard();
            LOG.log(Level.WARNING, "group {0}: installing the checkpoint from node {1} failed: {2}", group, peer, e.toString());
        }
        if (runnerRetired) outcome = restart(group, stopped, ids, positions, outcome, lifecycle);
        return outcome;
    }

    /** Starts the stopped state machines and puts a runner rebuilt from the store in place. */
    private Result restart(int group, List<Integer> stopped, List<Integer> ids, List<Long> positions, Result outcome,
                           StateMachineLifecycle lifecycle) {
        Result result = outcome;
        try {
            for (int id : stopped) lifecycle.start(group, id);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REREGISTER_TIMEOUT_MILLIS);
            while (!registry.machines(group).keySet().containsAll(stopped)) {
                if (System.nanoTime() > deadline || closed.getAsBoolean())
                    throw new IOException("state machines " + stopped + " did not register again after their restart");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // OSGi registers the service asynchronously
            }
            if (result.installed()) {
                for (int i = 0; i < ids.size(); i++) {
                    long reported = registry.machines(group).get(ids.get(i)).checkpointInstance(group);
                    if (reported < positions.get(i))
                        throw new IOException("state machine " + ids.get(i) + " reports instance " + reported
                                + " after installing a checkpoint at " + positions.get(i));
                }
            }
        } catch (Exception e) {
            result = Result.of(e);
        }
        Result end = result;
        registry.release(group, () -> {
            Map<Integer, StateMachine> now = registry.machines(group);
            GroupRunner fresh = host.rebuild(group, now);
            host.replace(group, fresh);
            registry.registrations(group).forEach(fresh::register);
            // the install itself succeeded but its state machines did not come back as installed
            if (!end.installed() && outcome.installed()) fresh.fail("checkpoint install failed: " + end.detail());
        });
        return result;
    }

    /**
     * Records the sender's membership history (an installer gets the membership in force at the
     * checkpoint's instance and every change after it up to when it was sent), unless the one here
     * already scanned further.
     */
    private void writeMembership(int group, byte[] received) {
        if (received == null) return;
        try {
            paxos.impl.core.ConfigTracker theirs = paxos.impl.core.ConfigTracker.decode(received);
            java.util.Optional<byte[]> mine = store.meta(group, MembershipChanges.KEY);
            if (mine.isPresent() && paxos.impl.core.ConfigTracker.decode(mine.get()).scannedUpTo() >= theirs.scannedUpTo()) return;
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "group {0}: membership history with the checkpoint unreadable: {1}", group, e.getMessage());
            return;
        }
        store.append(List.of(new LogRecord.Meta(group, MembershipChanges.KEY, received))).toCompletableFuture().join();
    }

    private void writePositions(int group, List<Integer> ids, List<Long> positions, MasterInfo master, Map<Integer, String> versions,
                                CheckpointRequests requests) {
        ExecMeta meta = store.meta(group, ExecMeta.KEY).map(ExecMeta::decode).orElseGet(ExecMeta::empty);
        for (int i = 0; i < ids.size(); i++) meta.positions().put(ids.get(i), positions.get(i));
        if (master.exists()) meta.masters().put(master.version(), master);
        long lowest = positions.stream().mapToLong(Long::longValue).min().orElse(-1);
        // the table after the checkpoint's instance is the one execution resumes with (replay starts just after it)
        if (requests != null) meta.requests().reset(requests.entries(), requests.instance() + 1);
        else LOG.log(Level.WARNING, "group {0}: a checkpoint install of an older version kept no executed-requests table;"
                + " requests executed before instance {1} are not deduplicated here", group, lowest + 1);
        if (!versions.isEmpty()) { // in force after the checkpoint: replaces this node's older history
            meta.versions().headMap(lowest, true).clear();
            meta.versions().put(lowest, new TreeMap<>(versions));
        }
        store.append(List.of(new LogRecord.Meta(group, ExecMeta.KEY, meta.encode()))).toCompletableFuture().join();
        store.retainFrom(group, lowest + 1);
    }
}
