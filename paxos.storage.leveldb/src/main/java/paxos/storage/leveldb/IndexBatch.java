package paxos.storage.leveldb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index changes of one group-commit batch (or one stretch of recovery), applied record by
 * record over the index so that later records of the batch see earlier ones, then published to
 * the index's {@link Overlay} and the in-memory group states (LevelDB gets them later, in bulk).
 * The same {@link #apply} serves the writer and recovery, so replaying the files rebuilds exactly
 * what the writer built. Used by one thread at a time.
 */
final class IndexBatch {
    private record Key(int group, long instance) {}

    private final Index index;
    private final Map<Integer, GroupState> published;
    private final Map<Key, IndexEntry> entries = new HashMap<>();
    private final Map<Integer, GroupState> states = new HashMap<>();
    private final Map<Integer, Map<String, byte[]>> metas = new HashMap<>();

    IndexBatch(Index index, Map<Integer, GroupState> published) {
        this.index = index;
        this.published = published;
    }

    GroupState state(int group) {
        GroupState s = states.get(group);
        return s != null ? s : published.getOrDefault(group, GroupState.EMPTY);
    }

    private IndexEntry entry(int group, long instance) {
        // the common case, a new instance, needs no lookup: nothing is held at or above the end
        if (instance >= state(group).end()) return null;
        IndexEntry e = entries.get(new Key(group, instance));
        return e != null ? e : index.entry(group, instance);
    }

    /**
     * What the writer must write for {@code op}: the op itself, a chosen mark in place of a chosen
     * record whose accept is held at the same ballot, or {@code null} when it changes nothing (a
     * lower promise, a lower retention point, an accept or chosen after the instance was chosen or
     * below the retention point).
     */
    Op decide(Op op) {
        GroupState s = state(op.group());
        switch (op.type()) {
            case PROMISE:
                return op.ballot() > s.promise() ? op : null;
            case RETAIN:
                return op.instance() > s.minRetained() ? op : null;
            case META:
                return op;
            default:
                if (op.instance() < s.minRetained()) return null;
                IndexEntry held = entry(op.group(), op.instance());
                if (held != null && held.chosen()) return null;
                if (op.type() == RecordType.CHOSEN && held != null && held.ballot() == op.ballot()) return op.asChosenMark();
                return op;
        }
    }

    /**
     * Applies a record written at {@code location} (whose ballot and chosen fields are ignored).
     *
     * @return {@code null}, or why the record contradicts the log (a chosen mark without its accept)
     */
    String apply(Op op, IndexEntry location) {
        int g = op.group();
        GroupState s = state(g);
        switch (op.type()) {
            case PROMISE -> {
                if (op.ballot() > s.promise()) putState(g, new GroupState(s.end(), s.minRetained(), op.ballot()));
            }
            case RETAIN -> {
                if (op.instance() > s.minRetained()) putState(g, new GroupState(s.end(), op.instance(), s.promise()));
            }
            case META -> {
                metas.computeIfAbsent(g, k -> new HashMap<>()).put(op.key(), op.value());
            }
            case ACCEPT, CHOSEN, CHOSEN_MARK -> {
                if (op.instance() < s.minRetained()) return null;
                IndexEntry held = entry(g, op.instance());
                if (held != null && held.chosen()) return null;
                IndexEntry next;
                if (op.type() == RecordType.CHOSEN_MARK) {
                    if (held == null || held.ballot() != op.ballot()) {
                        return "chosen mark for instance " + op.instance() + " has no accept at ballot " + op.ballot();
                    }
                    next = held.asChosen(op.ballot());
                } else {
                    next = new IndexEntry(location.segment(), location.offset(), location.length(), op.ballot(),
                            op.type() == RecordType.CHOSEN);
                }
                entries.put(new Key(g, op.instance()), next);
                if (op.instance() >= s.end()) putState(g, new GroupState(op.instance() + 1, s.minRetained(), s.promise()));
            }
        }
        return null;
    }

    /** The records that restate a group's promise, retention point and metadata (see the cleaner). */
    List<Op> restate(int group) {
        List<Op> out = new ArrayList<>();
        GroupState s = state(group);
        if (s.promise() != 0) out.add(new Op(RecordType.PROMISE, group, 0, s.promise(), null, null));
        if (s.minRetained() != 0) out.add(Op.retain(group, s.minRetained()));
        Map<String, byte[]> all = new HashMap<>(index.metas(group));
        all.putAll(metas.getOrDefault(group, Map.of()));
        all.forEach((k, v) -> {
            if (v.length > 0) out.add(new Op(RecordType.META, group, 0, 0, k, v));
        });
        return out;
    }

    boolean isEmpty() {
        return entries.isEmpty() && states.isEmpty() && metas.isEmpty();
    }

    private void putState(int group, GroupState s) {
        states.put(group, s);
    }

    /**
     * Publishes the changes: entries and metas to the index's overlay, then the group states
     * (readers that see a state's new end find its entries).
     */
    void publish() {
        Overlay overlay = index.overlay();
        entries.forEach((k, e) -> overlay.putEntry(k.group(), k.instance(), e));
        metas.forEach((g, m) -> m.forEach((key, value) -> overlay.putMeta(g, key, value)));
        published.putAll(states);
    }
}
