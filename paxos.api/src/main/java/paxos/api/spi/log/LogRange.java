package paxos.api.spi.log;

/**
 * The instances a store holds for one group: {@code [minRetained, end)}.
 *
 * @param minRetained lowest instance still readable; lower ones were deleted by retention
 *     ({@code 0} if nothing was ever deleted)
 * @param end one past the highest instance with an accept or chosen record ({@code minRetained}
 *     if none); instances inside the range may be missing (not yet learned)
 */
public record LogRange(long minRetained, long end) {
    /** True if no instance is held. */
    public boolean isEmpty() {
        return end <= minRetained;
    }
}
