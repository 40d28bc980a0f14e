package paxos.impl.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.Message;

/** The codec round-trips every message and refuses hostile bytes with a CodecException only. */
class MessageCodecProperties {
    private final MessageCodec codec = new MessageCodec(1000, 4096);

    @Property(tries = 2000)
    void everyMessageRoundTrips(@ForAll("messages") Message m) {
        byte[] bytes = codec.encode(m);
        Message back = codec.decode(bytes);
        assertEquals(m.getClass(), back.getClass());
        assertArrayEquals(bytes, codec.encode(back));
    }

    @Property(tries = 2000)
    void aMessageWithValuesIsEncodedIntoAnArrayOfExactlyItsSize(@ForAll("messages") Message m) {
        int exact = MessageCodec.encodedBytes(m);
        if (exact >= 0) assertEquals(exact, codec.encode(m).length, "the size the writer is given for " + m.getClass());
    }

    @Property(tries = 3000)
    void randomBytesNeverEscapeAsAnotherException(@ForAll byte[] junk) {
        try {
            codec.decode(junk);
        } catch (CodecException expected) {
            // the only allowed failure
        }
    }

    @Property(tries = 3000)
    void mutatedMessagesDecodeOrFailCleanly(@ForAll("messages") Message m, @ForAll int position, @ForAll byte flip,
                                            @ForAll boolean truncate) {
        byte[] bytes = codec.encode(m);
        int at = Math.floorMod(position, bytes.length);
        byte[] mutated = truncate ? Arrays.copyOf(bytes, at) : bytes.clone();
        if (!truncate) mutated[at] ^= (byte) (flip == 0 ? 1 : flip);
        try {
            Message decoded = codec.decode(mutated);
            assertArrayEquals(mutated, codec.encode(decoded)); // if it parses, it is a faithful message
        } catch (CodecException expected) {
            // refused
        }
    }

    @Property(tries = 200)
    void lengthsBeyondTheLimitAreRefusedBeforeAllocating(@ForAll("bigValues") byte[] value) {
        MessageCodec small = new MessageCodec(10, 16);
        byte[] bytes = codec.encode(new Message.Accept(0, 1, 2, 5, 7, value, -1));
        assertThrows(CodecException.class, () -> small.decode(bytes));
    }

    @Provide
    Arbitrary<byte[]> bigValues() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(17).ofMaxSize(200);
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Integer> group = Arbitraries.integers().between(0, 1023);
        Arbitrary<Integer> node = Arbitraries.integers().between(1, 65_535);
        Arbitrary<Long> num = Arbitraries.longs().between(-1, Long.MAX_VALUE);
        Arbitrary<byte[]> value = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<Message.Entry> entry = Combinators.combine(num, num, value, Arbitraries.of(true, false))
                .as(Message.Entry::new);
        Arbitrary<List<Message.Entry>> entries = entry.list().ofMaxSize(5);
        Arbitrary<BatchCommand> command = Combinators.combine(Arbitraries.integers().between(0, 65_535),
                Arbitraries.longs().between(-1, 1000), node, num, value).as(BatchCommand::new);
        Arbitrary<List<List<BatchCommand>>> units = command.list().ofMinSize(1).ofMaxSize(3).list().ofMaxSize(3);
        return Arbitraries.oneOf(
                Combinators.combine(group, node, node, num, num).as(Message.Prepare::new),
                Combinators.combine(group, node, node, num, num, num, entries, Arbitraries.of(true, false))
                        .as(Message.Promise::new),
                Combinators.combine(group, node, node, num, num, value, num).as(Message.Accept::new),
                Combinators.combine(group, node, node, num, num).as(Message.Accepted::new),
                Combinators.combine(group, node, node, num, num).as(Message.Reject::new),
                Combinators.combine(group, node, node, num, num, value.injectNull(0.3), num).as(Message.Commit::new),
                Combinators.combine(group, node, node, num, num).as(Message.Heartbeat::new),
                Combinators.combine(group, node, node, num, num).as(Message.ReadProbe::new),
                Combinators.combine(group, node, node, num, num).as(Message.ReadProbeAck::new),
                Combinators.combine(group, node, node, num).as(Message.ReadIndexRequest::new),
                Combinators.combine(group, node, node, num, num).as(Message.ReadIndexReply::new),
                Combinators.combine(group, node, node, num, num).as(Message.CatchUpRequest::new),
                Combinators.combine(group, node, node, entries, num).as(Message.CatchUpReply::new),
                Combinators.combine(group, node, node, units, Arbitraries.integers().between(0, 255)).as(Message.Forward::new));
    }
}
