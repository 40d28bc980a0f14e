package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core stays pure: a scan of the compiled classes of {@code paxos.impl.core} (their constant
 * pools name every class, method and field they touch) finds no thread, lock, clock, random
 * source, logger, file or network I/O, Netty, LevelDB or OSGi type.
 */
class CorePurityTest {
    private static final Pattern FORBIDDEN = Pattern.compile(String.join("|",
            "java/lang/Thread", "java/util/concurrent/", "java/time/", "currentTimeMillis", "nanoTime",
            "java/util/Random(?![A-Za-z])", "ThreadLocalRandom", "java/lang/System\\$Logger", "java/util/logging/",
            "java/io/", "java/nio/file/", "java/nio/channels/", "java/net/", "io/netty/", "org/iq80/", "org/osgi/",
            "java/lang/Math\\W+random"));

    @Test
    void coreClassesReferenceNoThreadClockRandomLoggerIoOrFrameworkType() throws IOException, URISyntaxException {
        Path classes = Path.of(GroupCore.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("paxos/impl/core");
        List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                scanned++;
                Matcher m = FORBIDDEN.matcher(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                while (m.find()) found.add(f.getFileName() + ": " + m.group());
            }
        }
        assertTrue(scanned >= 10, "expected the core's classes in " + classes + ", scanned " + scanned);
        assertEquals(List.of(), found);
    }

    @Test
    void theScanWouldCatchAForbiddenReference() throws IOException, URISyntaxException {
        Path self = Path.of(CorePurityTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("paxos/impl/core/CorePurityTest.class");
        assertTrue(FORBIDDEN.matcher(new String(Files.readAllBytes(self), StandardCharsets.ISO_8859_1)).find(),
                "this test class itself uses java.nio.file and must be flagged");
    }
}
