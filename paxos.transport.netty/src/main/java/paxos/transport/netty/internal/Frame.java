package paxos.transport.netty.internal;

/**
 * One decoded frame. Wire layout (big-endian):
 * <pre>
 *   u32 length      bytes that follow this field: 10 + body length
 *   u8  version     {@link #VERSION}
 *   u8  type        {@link #DATA}, {@link #KEEPALIVE} or one of the handshake types
 *   i32 group       the message's group (0 in handshake frames)
 *   ..  body        the message, or the handshake payload
 *   u32 crc32c      CRC32C over version, type, group and body
 * </pre>
 *
 * @param type the frame type
 * @param group the group (data frames)
 * @param body the payload, owned by the receiver of this record
 */
public record Frame(byte type, int group, byte[] body) {

    public static final byte VERSION = 1;

    public static final byte CLIENT_HELLO = 1;
    public static final byte SERVER_HELLO = 2;
    public static final byte CLIENT_AUTH = 3;
    public static final byte SERVER_ACCEPT = 4;
    public static final byte DATA = 16;
    /** Sent on an idle outbound connection so the peer keeps hearing from us; empty body, group 0. */
    public static final byte KEEPALIVE = 17;

    /** The length field itself. */
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Version, type, group and CRC: what follows the length besides the body. */
    public static final int FIXED_BYTES = 1 + 1 + 4 + 4;
    /** Wire bytes of a frame besides its body. */
    public static final int OVERHEAD_BYTES = LENGTH_FIELD_BYTES + FIXED_BYTES;
    /**
     * Frame cap before the peer is authenticated: handshake frames are tiny, and a stranger must
     * not make a node buffer megabytes.
     */
    public static final int HANDSHAKE_FRAME_BYTES_MAX = 1024;

    static boolean isKnownType(byte type) {
        return type == CLIENT_HELLO || type == SERVER_HELLO || type == CLIENT_AUTH || type == SERVER_ACCEPT
                || type == DATA || type == KEEPALIVE;
    }
}
