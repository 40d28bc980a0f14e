package paxos.impl.codec;

/** Bytes that are not a valid message: wrong version, unknown type, bad length, truncated. */
public final class CodecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, without echoing the input */
    public CodecException(String message) {
        super(message);
    }
}
