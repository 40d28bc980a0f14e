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
 * registration (a handle per service and group), not by ID: so a second service with an ID
 * already in force for a group is <em>refused</em> (kept in line, not executed) instead of
 * replacing the first, takes over only when the first goes away, and removing a service removes
 * its own registration only — never a newer one with the same ID.
 *
 * <p><b>Threads.</b> Any thread; every method is atomic (one lock).
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
        private final String name;
        private final StateMachine machine;

        Registration(int group, int id, String name, StateMachine machine) {
            this.group = group;
            this.id = id;
            this.name = name;
            this.machine = machine;
        }

        /** The group it registered for. */
        public int group() { return group; }
        /** The state machine ID. */
        public int id() { return id; }
        /** The name shown on status pages. */
        public String name() { return name; }
        /** The service object. */
        public StateMachine machine() { return machine; }

        @Override
        public String toString() {
            return "state machine " + id + " (" + name + ", registration " + seq + ") of group " + group;
        }
    }

    /** What a removal changed: whether the removed one was in force, and who takes over (or {@code null}). */
    record Removal(boolean wasInForce, Registration promoted) {}

    /** Per group, per ID, the registrations in arrival order: the first is in force, the others refused. */
    private final Map<Integer, Map<Integer, List<Registration>>> lines = new TreeMap<>();

    /** Adds a registration; it is in force iff no other one of that group and ID is. */
    synchronized Registration add(int group, int id, String name, StateMachine machine) {
        Registration r = new Registration(group, id, name, machine);
        lines.computeIfAbsent(group, g -> new TreeMap<>()).computeIfAbsent(id, i -> new ArrayList<>()).add(r);
        return r;
    }

    /** Removes exactly this registration (no-op if already gone). */
    synchronized Removal remove(Registration r) {
        List<Registration> line = lines.getOrDefault(r.group, Map.of()).get(r.id);
        if (line == null) return new Removal(false, null);
        int at = indexOf(line, r);
        if (at < 0) return new Removal(false, null);
        line.remove(at);
        if (line.isEmpty()) lines.get(r.group).remove(r.id);
        return new Removal(at == 0, at == 0 && !line.isEmpty() ? line.get(0) : null);
    }

    /** True if {@code r} is the registration in force for its group and ID. */
    synchronized boolean inForce(Registration r) {
        List<Registration> line = lines.getOrDefault(r.group, Map.of()).get(r.id);
        return line != null && line.get(0) == r;
    }

    /** True if some service registers {@code id} for {@code group}. */
    synchronized boolean has(int group, int id) {
        return lines.getOrDefault(group, Map.of()).containsKey(id);
    }

    /** The registrations in force of a group, by ID. */
    synchronized Map<Integer, Registration> inForce(int group) {
        Map<Integer, Registration> out = new TreeMap<>();
        lines.getOrDefault(group, Map.of()).forEach((id, line) -> out.put(id, line.get(0)));
        return out;
    }

    /** The refused registrations of a group (waiting behind the one in force), by ID, oldest first. */
    synchronized Map<Integer, List<Registration>> refused(int group) {
        Map<Integer, List<Registration>> out = new LinkedHashMap<>();
        lines.getOrDefault(group, Map.of()).forEach((id, line) -> {
            if (line.size() > 1) out.put(id, List.copyOf(line.subList(1, line.size())));
        });
        return out;
    }

    /** The registration in force of {@code (group, id)}, or {@code null}. */
    synchronized Registration inForce(int group, int id) {
        List<Registration> line = lines.getOrDefault(group, Map.of()).get(id);
        return line == null ? null : line.get(0);
    }

    private static int indexOf(List<Registration> line, Registration r) {
        for (int i = 0; i < line.size(); i++) if (line.get(i) == r) return i;
        return -1;
    }
}
