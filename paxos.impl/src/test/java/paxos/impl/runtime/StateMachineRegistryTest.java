package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.statemachine.StateMachine;

/** One owner per (group, ID): refusal, take-over, removal by handle. */
class StateMachineRegistryTest {
    private final StateMachineRegistry registry = new StateMachineRegistry();
    private final StateMachine a = (batch, results) -> { };
    private final StateMachine b = (batch, results) -> { };

    @Test
    void theFirstServiceWithAnIdIsInForceAndASecondIsRefused() {
        StateMachineRegistry.Registration first = registry.add(0, 7, "1.0", "a", a);
        StateMachineRegistry.Registration second = registry.add(0, 7, "1.0", "b", b);
        assertTrue(registry.inForce(first));
        assertFalse(registry.inForce(second));
        assertSame(a, registry.inForce(0, 7).machine());
        assertEquals(Map.of(7, List.of(second)), registry.refused(0));
    }

    @Test
    void removingTheOlderHandsOverToTheNewerInsteadOfRemovingIt() {
        StateMachineRegistry.Registration first = registry.add(0, 7, "1.0", "a", a);
        StateMachineRegistry.Registration second = registry.add(0, 7, "1.0", "b", b);
        StateMachineRegistry.Removal removal = registry.remove(first);
        assertTrue(removal.wasInForce());
        assertSame(second, removal.promoted());
        assertTrue(registry.inForce(second));
        assertTrue(registry.has(0, 7));
    }

    @Test
    void removingARefusedOneChangesNothingInForce() {
        StateMachineRegistry.Registration first = registry.add(0, 7, "1.0", "a", a);
        StateMachineRegistry.Registration second = registry.add(0, 7, "1.0", "b", b);
        StateMachineRegistry.Removal removal = registry.remove(second);
        assertFalse(removal.wasInForce());
        assertNull(removal.promoted());
        assertTrue(registry.inForce(first));
        assertEquals(Map.of(), registry.refused(0));
    }

    @Test
    void theSameObjectRegisteredTwiceIsTwoHandlesAndRemovalIsIdempotent() {
        StateMachineRegistry.Registration first = registry.add(0, 7, "1.0", "a", a);
        StateMachineRegistry.Registration again = registry.add(0, 7, "1.0", "a", a);
        registry.remove(first);
        assertTrue(registry.inForce(again));
        assertFalse(registry.remove(first).wasInForce(), "a second removal of the same handle is a no-op");
        registry.remove(again);
        assertFalse(registry.has(0, 7));
    }

    @Test
    void differentVersionsOfOneIdAreInForceSideBySide() {
        StateMachineRegistry.Registration v1 = registry.add(0, 7, "1.1", "a", a);
        StateMachineRegistry.Registration v2 = registry.add(0, 7, "1.2", "b", b);
        assertTrue(registry.inForce(v1));
        assertTrue(registry.inForce(v2));
        assertEquals(List.of(v1, v2), registry.registrations(0));
        assertSame(v1, registry.inForce(0, 7), "before an activation, the oldest executes");
        registry.noteVersionInForce(0, 7, "1.2");
        assertSame(v2, registry.inForce(0, 7), "then the one of the version in force");
        assertEquals(Map.of(), registry.refused(0));
    }

    @Test
    void groupsAreIndependent() {
        StateMachineRegistry.Registration g0 = registry.add(0, 7, "1.0", "a", a);
        StateMachineRegistry.Registration g1 = registry.add(1, 7, "1.0", "b", b);
        assertTrue(registry.inForce(g0));
        assertTrue(registry.inForce(g1));
        registry.remove(g0);
        assertFalse(registry.has(0, 7));
        assertTrue(registry.has(1, 7));
    }

    @Test
    void whileAGroupIsHeldRegistrationsAreRecordedButNotForwardedAndReleaseHandsThemOver() {
        assertTrue(registry.admit(0, 7, "1.0", "a", a).forward(), "not held: forwarded");
        registry.hold(0);
        StateMachineRegistry.Added held = registry.admit(0, 8, "1.0", "b", b);
        assertFalse(held.forward(), "held: the install's new runner gets it");
        assertTrue(registry.admit(1, 8, "1.0", "b", b).forward(), "another group is not held");
        assertFalse(registry.admit(0, 9, "1.0", "c", a).forward());
        assertEquals(List.of(7, 8, 9), List.copyOf(registry.machines(0).keySet()));
        List<StateMachineRegistry.Registration> handed = new java.util.ArrayList<>();
        registry.release(0, () -> handed.addAll(registry.registrations(0)));
        assertEquals(3, handed.size(), "every registration in force goes to the rebuilt runner");
        assertTrue(registry.admit(0, 10, "1.0", "d", b).forward(), "released");
    }

    @Test
    void aRemovalWhileHeldPromotesNobodyForTheCaller() {
        StateMachineRegistry.Registration first = registry.admit(0, 7, "1.0", "a", a).registration();
        StateMachineRegistry.Registration second = registry.admit(0, 7, "1.0", "b", b).registration();
        registry.hold(0);
        StateMachineRegistry.Removal removal = registry.withdraw(first);
        assertTrue(removal.wasInForce());
        assertNull(removal.promoted(), "the install hands the new runner what is in force");
        assertTrue(registry.inForce(second));
        registry.removeInForce(0, 7);
        assertFalse(registry.has(0, 7));
    }
}
