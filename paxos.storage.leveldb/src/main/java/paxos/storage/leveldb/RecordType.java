package paxos.storage.leveldb;

/** The kinds of record in a segment file; the code is the byte stored in the record header. */
enum RecordType {
    /** payload: ballot. */
    PROMISE(1),
    /** payload: ballot, value. */
    ACCEPT(2),
    /** payload: ballot, value; written when no accept of the same ballot is held. */
    CHOSEN(3),
    /** payload: ballot; the value is the held accept's (write amplification: no second copy). */
    CHOSEN_MARK(4),
    /** payload: key length (1 byte), ASCII key, value; an empty value deletes the key. */
    META(5),
    /** no payload; the header's instance is the group's new minimum retained instance. */
    RETAIN(6);

    final byte code;

    RecordType(int code) {
        this.code = (byte) code;
    }

    /** The type of a header byte, or {@code null} for an unknown byte (corruption). */
    static RecordType of(byte code) {
        for (RecordType t : values()) if (t.code == code) return t;
        return null;
    }
}
