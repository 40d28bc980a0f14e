package paxos.impl.core;

import java.util.ArrayList;
import java.util.List;
import paxos.api.spi.log.InstanceRecord;

/**
 * A peer asked this node for chosen values; the core cannot read storage, so it hands the read to
 * the runtime. The runtime reads {@code LogStore.readRange(group, fromInstance, toInstance,
 * entriesMax)} (after appending the same {@link Ready}'s {@code toPersist}, so every value the
 * core knows chosen is visible), turns the records into a reply with {@link #reply} and sends it
 * to {@code toNode}. A failed read (e.g. compacted) is simply dropped: the requester retries
 * elsewhere.
 *
 * @param group the group
 * @param selfNode this node, the reply's sender
 * @param toNode the requester
 * @param fromInstance first instance to read
 * @param toInstance one past the last instance to read
 * @param entriesMax most entries in the reply
 * @param bytesMax most value bytes in the reply (at least one entry is always included)
 * @param chosenUpTo this node's contiguous chosen position when the request arrived
 */
public record CatchUpRead(int group, int selfNode, int toNode, long fromInstance, long toInstance,
                          int entriesMax, int bytesMax, long chosenUpTo) {

    /** The reply carrying the chosen ones among {@code records}, bounded by count and bytes. */
    public Message.CatchUpReply reply(List<InstanceRecord> records) {
        List<Message.Entry> entries = new ArrayList<>();
        long bytes = 0;
        for (InstanceRecord r : records) {
            if (!r.chosen() || r.instance() < fromInstance || r.instance() >= toInstance) continue;
            if (entries.size() >= entriesMax || (!entries.isEmpty() && bytes + r.value().length > bytesMax)) break;
            entries.add(new Message.Entry(r.instance(), r.ballot(), r.value(), true));
            bytes += r.value().length;
        }
        return new Message.CatchUpReply(group, selfNode, toNode, entries, chosenUpTo);
    }
}
