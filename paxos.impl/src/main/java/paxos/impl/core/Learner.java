package paxos.impl.core;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import paxos.api.spi.log.LogRecord;

/**
 * Which instances this node knows chosen, their values until handed out for execution, and
 * what peers reported about their own progress (to notice that this node is behind).
 */
final class Learner {
    /** A chosen value not yet handed out. */
    record Chosen(long ballot, byte[] value) {}

    private final int group;
    private final Outbox out;
    private final TreeMap<Long, Chosen> chosen = new TreeMap<>();
    private long chosenUpTo;
    private long appliedUpTo;
    private long peerChosenUpTo = -1;
    private int aheadNode;

    Learner(int group, long applyFrom, Outbox out) {
        this.group = group;
        this.out = out;
        this.chosenUpTo = applyFrom - 1;
        this.appliedUpTo = applyFrom - 1;
    }

    /** Every instance up to it is known chosen here. */
    long chosenUpTo() {
        return chosenUpTo;
    }

    /** The last instance handed out in a Ready. */
    long appliedUpTo() {
        return appliedUpTo;
    }

    boolean isChosen(long instance) {
        return instance <= chosenUpTo || chosen.containsKey(instance);
    }

    /** The highest instance known chosen here, contiguous or not. */
    long maxKnownChosen() {
        return chosen.isEmpty() ? chosenUpTo : Math.max(chosenUpTo, chosen.lastKey());
    }

    /** Value of a chosen instance still in memory, or {@code null}. */
    Chosen chosen(long instance) {
        return chosen.get(instance);
    }

    /** Chosen values in memory for instances {@code >= from}. */
    NavigableMap<Long, Chosen> chosenFrom(long from) {
        return chosen.tailMap(from, true);
    }

    /** Records a newly learned chosen value (persisted); false if it was known already. */
    boolean learn(long instance, long ballot, byte[] value) {
        if (isChosen(instance)) return false;
        out.persist.add(new LogRecord.Chosen(group, instance, ballot, value));
        put(instance, ballot, value);
        return true;
    }

    /** Rebuilds state from the log at restart; persists nothing. */
    void restore(long instance, long ballot, byte[] value) {
        if (!isChosen(instance)) put(instance, ballot, value);
    }

    private void put(long instance, long ballot, byte[] value) {
        chosen.put(instance, new Chosen(ballot, value));
        while (chosen.containsKey(chosenUpTo + 1)) chosenUpTo++;
    }

    /** True if chosen values wait to be handed out. */
    boolean hasApply() {
        return appliedUpTo < chosenUpTo;
    }

    /** Hands out up to {@code max} chosen values in order and forgets them. */
    List<ChosenValue> drainApply(int max) {
        List<ChosenValue> list = new ArrayList<>();
        while (appliedUpTo < chosenUpTo && list.size() < max) {
            long next = appliedUpTo + 1;
            list.add(new ChosenValue(next, chosen.remove(next).value()));
            appliedUpTo = next;
        }
        return list;
    }

    /** A peer said it knows every instance up to {@code upTo} chosen. */
    void notePeer(int node, long upTo) {
        if (upTo > peerChosenUpTo) {
            peerChosenUpTo = upTo;
            aheadNode = node;
        }
    }

    /** True if some peer knows more chosen instances than this node (catch up). */
    boolean behind() {
        return peerChosenUpTo > chosenUpTo;
    }

    long peerChosenUpTo() {
        return peerChosenUpTo;
    }

    int aheadNode() {
        return aheadNode;
    }

    int inMemory() {
        return chosen.size();
    }
}
