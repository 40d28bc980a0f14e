package paxos.api.statemachine;

import java.util.Objects;

/**
 * A state machine's result as a generic client returns it (see {@link ResultEncoder}).
 *
 * @param body the bytes, not copied (the encoder must not change them afterwards); may be empty
 * @param contentType a media type such as {@code application/json} or
 *     {@code text/plain; charset=utf-8}; non-empty
 */
public record EncodedResult(byte[] body, String contentType) {

    /** Checks that neither field is null and the content type is not blank. */
    public EncodedResult {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        if (contentType.isBlank()) throw new IllegalArgumentException("contentType must not be blank");
    }

    /** {@code String.valueOf(result)} as UTF-8 text; {@code null} gives an empty body. */
    public static EncodedResult text(Object result) {
        byte[] body = result == null ? new byte[0] : String.valueOf(result).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new EncodedResult(body, "text/plain; charset=utf-8");
    }
}
