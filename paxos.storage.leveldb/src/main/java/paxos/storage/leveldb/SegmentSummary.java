package paxos.storage.leveldb;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cleaner must know about one segment file: per group, the highest instance of its
 * accept and chosen records (the file is deletable once each is below its group's retention
 * point), and which groups have promise, meta or retain records in it (their current state is
 * re-written to the active segment before the file goes). Written by the writer or recovery,
 * read by the cleaner, hence concurrent collections.
 */
final class SegmentSummary {
    final Map<Integer, Long> maxInstanceByGroup = new ConcurrentHashMap<>();
    final Set<Integer> stateGroups = ConcurrentHashMap.newKeySet();

    void add(Op op) {
        switch (op.type()) {
            case ACCEPT, CHOSEN, CHOSEN_MARK -> maxInstanceByGroup.merge(op.group(), op.instance(), Math::max);
            case PROMISE, META, RETAIN -> stateGroups.add(op.group());
        }
    }

    /** All groups with any record in the segment. */
    Set<Integer> groups() {
        Set<Integer> all = ConcurrentHashMap.newKeySet();
        all.addAll(maxInstanceByGroup.keySet());
        all.addAll(stateGroups);
        return all;
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(8 + maxInstanceByGroup.size() * 12 + stateGroups.size() * 4);
        b.putInt(maxInstanceByGroup.size());
        maxInstanceByGroup.forEach((g, max) -> b.putInt(g).putLong(max));
        b.putInt(stateGroups.size());
        stateGroups.forEach(b::putInt);
        return b.array();
    }

    static SegmentSummary decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        SegmentSummary s = new SegmentSummary();
        for (int n = b.getInt(); n > 0; n--) s.maxInstanceByGroup.put(b.getInt(), b.getLong());
        for (int n = b.getInt(); n > 0; n--) s.stateGroups.add(b.getInt());
        return s;
    }
}
