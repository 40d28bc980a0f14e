package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the batch codec against arbitrary commands and arbitrary bytes. */
class BatchCodecPropertiesTest {
    @Provide
    Arbitrary<List<BatchCommand>> batches() {
        Arbitrary<BatchCommand> command = Combinators.combine(
                Arbitraries.integers().between(0, 65_535), Arbitraries.longs().between(-1, Long.MAX_VALUE),
                Arbitraries.integers().between(1, 65_535), Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as(BatchCommand::new);
        return command.list().ofMaxSize(20);
    }

    @Property(edgeCases = EdgeCasesMode.NONE) // the combined edge cases exceed the tries; random cases cover them
    void decodeInvertsEncode(@ForAll("batches") List<BatchCommand> commands) {
        byte[] bytes = BatchCodec.encode(commands);
        assertEquals(BatchCodec.encodedBytes(commands), bytes.length);
        List<BatchCommand> back = BatchCodec.decode(bytes, 20);
        assertEquals(commands.size(), back.size());
        for (int i = 0; i < commands.size(); i++) {
            BatchCommand a = commands.get(i);
            BatchCommand b = back.get(i);
            assertEquals(List.of(a.stateMachineId(), a.masterVersion(), a.proposerNode(), a.requestId()),
                    List.of(b.stateMachineId(), b.masterVersion(), b.proposerNode(), b.requestId()));
            assertArrayEquals(a.value(), b.value());
        }
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    void anyPrefixOfABatchIsRejectedNotMisread(@ForAll("batches") List<BatchCommand> commands, @ForAll @IntRange(min = 1, max = 1000) int cut) {
        byte[] bytes = BatchCodec.encode(commands);
        byte[] prefix = Arrays.copyOf(bytes, Math.max(0, bytes.length - cut));
        try {
            BatchCodec.decode(prefix, 20);
            throw new AssertionError("a truncated batch decoded");
        } catch (IllegalArgumentException expected) {
            // the only acceptable failure
        }
    }

    @Property
    void arbitraryBytesDecodeOrFailWithIllegalArgument(@ForAll byte[] bytes) {
        try {
            List<BatchCommand> decoded = BatchCodec.decode(bytes, 1000);
            assertArrayEquals(bytes, BatchCodec.encode(new ArrayList<>(decoded)), "only canonical encodings decode");
        } catch (IllegalArgumentException expected) {
            // rejected with a clear error, never another exception
        }
    }
}
