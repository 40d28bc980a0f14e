package paxos.impl.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import paxos.api.statemachine.StateMachine;

/**
 * The one record of which state machine services are registered for which group, keyed by the
 * registration (a handle per service and group), not by ID: so a second service with an ID and
 * version already in force for a group is <em>refused</em> (kept in line, not executed) instead
 * of replacing the first, takes over only when the first goes away, and removing a service
 * removes its own registration only — never a newer one with the same ID. Services with the same
 * ID and <em>different</em> versions are all in force side by side (the upgrade path); which one
 * executes is decided by the version in force in the group's log.
 *
 * <p>It is also the gate between registrations and a group's runner: {@link #admit} and
 * {@link #withdraw} tell the caller whether to hand the change to the runner now, which is not
 * the case while the group is {@linkplain #hold held} by a checkpoint install (the install stops
 * and restarts the group's state machines itself, and {@link #release} hands every registration
 * to the runner it rebuilds). Everyone else (the engine, the checkpoint service, the status
 * builder) asks this registry; the group runner keeps only the copy it executes with.
 *
 * <p><b>Threads.</b> Any thread; every method is atomic (one lock). The gate methods also hold
 * the group's own lock, so one group's install never blocks another group's registrations.
 */
public final class StateMachineRegistry {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * One service registered for one group: the handle its owner removes it with.
     * Compared by identity: two registrations of the same object are two handles.
     */
    public static final class Registration {
        private final long seq = SEQUENCE.incrementAndGet();
        private final int group;
        private final int id;
        private final String version;
        private final String name;
        private final StateMachine machine;

        Registration(int group, int id, String version, String name, StateMachine machine) {
            this.group = group;
            this.id = id;
            this.version = version;
            this.name = name;
            this.machine = machine;
        }

        /** Arrival order: older registrations have lower numbers. */
        public long seq() { return seq; }
        /** The group it registered for. */
        public int group() { return group; }
        /** The state machine ID. */
        public int id() { return id; }
        /** Its version ({@link paxos.api.statemachine.StateMachineProperties#VERSION}). */
        public String version() { return version; }
        /** The name shown on status pages. */
        public String name() { return name; }
        /** The service object. */
        public StateMachine machine() { return machine; }

        @Override
        public String toString() {
            return "state machine " + id + "@" + version + " (" + name + ", registration " + seq + ") of group " + group;
        }
    }

    /** What a removal changed: whether the removed one was in force, and who takes over (or {@code null}). */
    record Removal(boolean wasInForce, Registration promoted) {}

    /** A new registration, and whether the caller hands it to the group's runner now. */
    record Added(Registration registration, boolean forward) {}

    /** Per group, the lock of its gate (held while a registration and the hold flag change together). */
    private final Map<Integer, Object> gates = new java.util.concurrent.ConcurrentHashMap<>();
    /** Groups held by a checkpoint install: registrations are recorded, not forwarded. */
    private final java.util.Set<Integer> held = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Per group, per ID, per version, the registrations in arrival order: the first is in force, the others refused. */
    private final Map<Integer, Map<Integer, Map<String, List<Registration>>>> lines = new TreeMap<>();
    /** Per group, per ID, the version in force in the group's log as its runner executed it last. */
    private final Map<Integer, Map<Integer, String>> logVersions = new TreeMap<>();

    /**
     * Records a registration; {@code forward} is true if it is in force and the group is not held
     * (then the caller hands it to the group's runner, if there is one yet).
     */
    Added admit(int group, int id, String version, String name, StateMachine machine) {
        synchronized (gate(group)) {
            Registration r = add(group, id, version, name, machine);
            return new Added(r, inForce(r) && !held.contains(group));
        }
    }

    /**
     * Removes exactly this registration. The promoted one (a refused duplicate taking over) is
     * returned for the caller to hand to the runner, unless the group is held.
     */
    Removal withdraw(Registration r) {
        synchronized (gate(r.group())) {
            Removal x = remove(r);
            return held.contains(r.group()) ? new Removal(x.wasInForce(), null) : x;
        }
    }

    /** A checkpoint install of {@code group} begins: from now on registrations are not forwarded. */
    void hold(int group) {
        synchronized (gate(group)) {
            held.add(group);
        }
    }

    /**
     * The install of {@code group} ends: runs {@code handOver} (which rebuilds the runner and hands
     * it {@link #registrations(int)}) under the group's gate, then lifts the hold, so that no
     * registration arriving meanwhile is lost or forwarded to the retired runner.
     */
    void release(int group, Runnable handOver) {
        synchronized (gate(group)) {
            handOver.run(); // if it throws, the group stays held: there is no runner to forward to
            held.remove(group);
        }
    }

    /** Drops the registration in force of {@code (group, id)}, whoever owns it (a checkpoint install stops it). */
    void removeInForce(int group, int id) {
        Registration r = inForce(group, id);
        if (r != null) remove(r);
    }

    /** Per ID, the service that executes (or would) in the group; see {@link #inForce(int)}. */
    Map<Integer, StateMachine> machines(int group) {
        Map<Integer, StateMachine> out = new TreeMap<>();
        inForce(group).forEach((id, r) -> out.put(id, r.machine()));
        return out;
    }

    private Object gate(int group) {
        return gates.computeIfAbsent(group, g -> new Object());
    }

    /** Adds a registration; it is in force iff no other one of that group, ID and version is. */
    synchronized Registration add(int group, int id, String version, String name, StateMachine machine) {
        Registration r = new Registration(group, id, version, name, machine);
        line(group, id, version, true).add(r);
        return r;
    }

    /** Removes exactly this registration (no-op if already gone). */
    synchronized Removal remove(Registration r) {
        List<Registration> line = line(r.group, r.id, r.version, false);
        int at = line == null ? -1 : indexOf(line, r);
        if (at < 0) return new Removal(false, null);
        line.remove(at);
        if (line.isEmpty()) {
            Map<String, List<Registration>> versions = lines.get(r.group).get(r.id);
            versions.remove(r.version);
            if (versions.isEmpty()) lines.get(r.group).remove(r.id);
        }
        return new Removal(at == 0, at == 0 && !line.isEmpty() ? line.get(0) : null);
    }

    /** True if {@code r} is the registration in force for its group, ID and version. */
    synchronized boolean inForce(Registration r) {
        List<Registration> line = line(r.group, r.id, r.version, false);
        return line != null && line.get(0) == r;
    }

    /** True if some service registers {@code id} (any version) for {@code group}. */
    synchronized boolean has(int group, int id) {
        return lines.getOrDefault(group, Map.of()).containsKey(id);
    }

    /** True if some service registers {@code id} at {@code version} for {@code group}. */
    synchronized boolean has(int group, int id, String version) {
        return line(group, id, version, false) != null;
    }

    /** Every registration in force of a group (one per ID and version), by ID then version. */
    synchronized List<Registration> registrations(int group) {
        List<Registration> out = new ArrayList<>();
        lines.getOrDefault(group, Map.of()).values().forEach(versions -> versions.values().forEach(l -> out.add(l.get(0))));
        return out;
    }

    /**
     * Per ID, the registration that executes (or would) in the group: the one of the version in
     * force in its log, else the oldest in force (checkpoints are taken from and installed to it).
     */
    synchronized Map<Integer, Registration> inForce(int group) {
        Map<Integer, Registration> out = new TreeMap<>();
        lines.getOrDefault(group, Map.of()).forEach((id, versions) -> out.put(id, pick(group, id, versions)));
        return out;
    }

    /** The registration that executes (or would) {@code (group, id)}, or {@code null}; see {@link #inForce(int)}. */
    synchronized Registration inForce(int group, int id) {
        Map<String, List<Registration>> versions = lines.getOrDefault(group, Map.of()).get(id);
        return versions == null ? null : pick(group, id, versions);
    }

    /** The runner tells which version its log put in force ({@code null}: none yet). */
    synchronized void noteVersionInForce(int group, int id, String version) {
        if (version == null) logVersions.getOrDefault(group, new TreeMap<>()).remove(id);
        else logVersions.computeIfAbsent(group, g -> new TreeMap<>()).put(id, version);
    }

    /** The refused registrations of a group (waiting behind the one in force), by ID, oldest first. */
    synchronized Map<Integer, List<Registration>> refused(int group) {
        Map<Integer, List<Registration>> out = new LinkedHashMap<>();
        lines.getOrDefault(group, Map.of()).forEach((id, versions) -> versions.values().forEach(line -> {
            if (line.size() > 1) out.computeIfAbsent(id, k -> new ArrayList<>()).addAll(line.subList(1, line.size()));
        }));
        return out;
    }

    private Registration pick(int group, int id, Map<String, List<Registration>> versions) {
        String inLog = logVersions.getOrDefault(group, Map.of()).get(id);
        if (inLog != null && versions.containsKey(inLog)) return versions.get(inLog).get(0);
        Registration oldest = null;
        for (List<Registration> line : versions.values())
            if (oldest == null || line.get(0).seq < oldest.seq) oldest = line.get(0);
        return oldest;
    }

    private List<Registration> line(int group, int id, String version, boolean create) {
        if (!create) return lines.getOrDefault(group, Map.of()).getOrDefault(id, Map.of()).get(version);
        return lines.computeIfAbsent(group, g -> new TreeMap<>()).computeIfAbsent(id, i -> new TreeMap<>())
                .computeIfAbsent(version, v -> new ArrayList<>());
    }

    private static int indexOf(List<Registration> line, Registration r) {
        for (int i = 0; i < line.size(); i++) if (line.get(i) == r) return i;
        return -1;
    }
}
