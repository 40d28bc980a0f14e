package paxos.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The test plugin bundles built by {@code testplugins/} (reactor modules the launcher depends on
 * in test scope, so {@code -pl launcher -am} builds them first): the counter, state machine ID
 * 4242, as {@code v1} (1.1.0: add), {@code v2} (1.2.0: add, multiply) and {@code poison}
 * (1.3.0.poison: execute throws on "poison").
 */
final class TestPlugins {

  private TestPlugins() {
  }

  /** The built jar of counter variant {@code variant} (v1, v2, poison). */
  static Path counter(String variant) throws IOException {
    String dir = System.getProperty("paxos.testplugins.dir", "../testplugins");
    Path target = Path.of(dir).resolve("counter-" + variant).resolve("target");
    String prefix = "paxos.testplugins.counter-" + variant + "-";
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jar"))
          .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + target
              + "; build it: mvn -B package -pl testplugins/counter-" + variant + " -am"));
    }
  }
}
