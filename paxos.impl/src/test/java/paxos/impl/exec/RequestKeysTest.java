package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RequestKeys} is a set of (node, request ID) pairs, emptied by each clear, at any size. */
class RequestKeysTest {
    private record Key(int node, long id) {}

    @Test
    void behavesAsAHashSetAcrossClearsAndGrowth() {
        Random r = new Random(1);
        RequestKeys keys = new RequestKeys();
        for (int round = 0; round < 2000; round++) {
            int n = round % 100 == 0 ? 1 + r.nextInt(3000) : r.nextInt(70);
            keys.clear(n);
            Set<Key> model = new HashSet<>();
            for (int k = 0; k < n; k++) {
                Key key = new Key(r.nextInt(4), r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(200));
                assertEquals(model.contains(key), keys.contains(key.node(), key.id()));
                keys.add(key.node(), key.id());
                model.add(key);
                assertEquals(true, keys.contains(key.node(), key.id()));
            }
            for (int k = 0; k < 50; k++) {
                Key probe = new Key(r.nextInt(4), r.nextInt(200));
                assertEquals(model.contains(probe), keys.contains(probe.node(), probe.id()), "round " + round);
            }
        }
    }
}
