package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine installs checkpoints by restarting state machines, never by ending the process: no
 * compiled class of this module calls {@code System.exit}, {@code Runtime.exit} or
 * {@code Runtime.halt}. Scans the class files' constant pools for such a method reference.
 */
class NoProcessExitTest {
    @Test
    void noClassOfTheEngineEndsTheProcess() throws Exception {
        Path classes = Path.of(Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> s = Files.walk(classes)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
                // the node tool is a command-line main (tests' child processes) that sets its exit
                // status; it is not part of the engine a platform or an embedding user runs
                if (classes.relativize(p).toString().startsWith("paxos/node/tool/NodeProcess")) continue;
                scanned++;
                String pool = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                boolean exitOrHalt = pool.contains("\u0000\u0004exit") || pool.contains("\u0000\u0004halt");
                boolean owner = pool.contains("java/lang/System") || pool.contains("java/lang/Runtime");
                if (exitOrHalt && owner && pool.contains("(I)V")) offenders.add(classes.relativize(p).toString());
            }
        }
        assertEquals(List.of(), offenders, "classes that may call System.exit / Runtime.halt");
        assertEquals(true, scanned > 50, "scanned the engine's classes in " + classes);
    }
}
