package paxos.sim;

/** A simulated caller proposing to one group, one proposal at a time. */
final class Client {
    final int id;
    final int group;
    final boolean probe;
    int sequence;
    /** The node and request the client currently waits for ({@code 0} node: idle). */
    int node;
    long requestId;
    byte[] value;
    boolean acked;
    /** The current request is a master claim (no state machine sees it). */
    boolean claim;

    Client(int id, int group, boolean probe) {
        this.id = id;
        this.group = group;
        this.probe = probe;
    }

    boolean waiting() {
        return node != 0;
    }

    byte[] nextValue() {
        value = ((probe ? "probe" : "c") + id + "-g" + group + "-" + sequence++).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return value;
    }
}
