package paxos.impl.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The last few state machine digests of {@link DigestExchange}: those taken here and those peers
 * reported, per (group, state machine), at most {@link DigestExchange#KEPT} each and one per
 * instance. Not thread-safe: the exchange calls it under its monitor only.
 */
final class DigestHistory {
    private record Key(int group, int id) {}

    private record Digest(long instance, long digest) {}

    private final Map<Key, ArrayDeque<Digest>> local = new HashMap<>();
    private final Map<Key, Map<Integer, ArrayDeque<Digest>>> remote = new HashMap<>();

    /** A digest taken here. */
    void recordLocal(int group, int id, long instance, long digest) {
        keep(local.computeIfAbsent(new Key(group, id), x -> new ArrayDeque<>()), new Digest(instance, digest));
    }

    /** A digest peer {@code from} reported; false if it was known already (nothing to compare anew). */
    boolean recordRemote(int group, int id, int from, long instance, long digest) {
        ArrayDeque<Digest> q = remote.computeIfAbsent(new Key(group, id), x -> new HashMap<>())
                .computeIfAbsent(from, x -> new ArrayDeque<>());
        Digest d = new Digest(instance, digest);
        if (q.stream().anyMatch(o -> o.equals(d))) return false;
        keep(q, d);
        return true;
    }

    /** Forgets peer {@code from}'s digests of the group's state machines it no longer reports. */
    void retainRemote(int group, int from, Set<Integer> reported) {
        remote.forEach((k, byPeer) -> {
            if (k.group() == group && !reported.contains(k.id())) byPeer.remove(from);
        });
        remote.values().removeIf(Map::isEmpty);
    }

    /** Forgets the digests taken here of one state machine (its state diverged: never compare them again). */
    void forgetLocal(int group, int id) {
        local.remove(new Key(group, id));
    }

    /** Per node, its digest at {@code instance}; this node's under {@code self}. */
    Map<Integer, Long> at(int group, int id, long instance, int self) {
        Key k = new Key(group, id);
        Map<Integer, Long> digests = new TreeMap<>();
        Long mine = at(local.get(k), instance);
        if (mine != null) digests.put(self, mine);
        remote.getOrDefault(k, Map.of()).forEach((peer, q) -> {
            Long d = at(q, instance);
            if (d != null) digests.put(peer, d);
        });
        return digests;
    }

    /** The newest (at most {@code max}) digests taken here, oldest first, as they go on the wire. */
    List<DigestWire.Digest> latestLocal(int group, int id, int max) {
        ArrayDeque<Digest> q = local.getOrDefault(new Key(group, id), new ArrayDeque<>());
        List<DigestWire.Digest> latest = new ArrayList<>();
        q.stream().skip(Math.max(0, q.size() - max)).forEach(d -> latest.add(new DigestWire.Digest(d.instance(), d.digest())));
        return latest;
    }

    /** Keeps the newest {@link DigestExchange#KEPT} digests, one per instance. */
    private static void keep(ArrayDeque<Digest> q, Digest d) {
        q.removeIf(o -> o.instance() == d.instance());
        q.addLast(d);
        while (q.size() > DigestExchange.KEPT) q.removeFirst();
    }

    private static Long at(ArrayDeque<Digest> q, long instance) {
        if (q == null) return null;
        for (Digest d : q) if (d.instance() == instance) return d.digest();
        return null;
    }
}
