package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeping a setting from the console: written to the local file beside others, checked, and the page says where. */
class ConsoleSettingsTest {
    @TempDir
    Path dir;

    @Test
    void savingKeepsOtherKeysAndRefusesNonsense() throws Exception {
        Path file = dir.resolve("settings.properties");
        Files.writeString(file, "windowMax=8\n");
        String message = ConsoleSettings.save(file.toString(), "holdLogCount", " 5000 ");
        assertTrue(message.startsWith("holdLogCount = 5000 saved to " + file), message);
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        assertEquals("5000", p.getProperty("holdLogCount"));
        assertEquals("8", p.getProperty("windowMax"));
        assertTrue(ConsoleSettings.save(file.toString(), "groupCount", "4").contains("save it on every node"));
        assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.save(file.toString(), "nodeId", "2"));
        assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.save(file.toString(), "holdLogCount", "-1"));
        assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.save(null, "holdLogCount", "5"));
        assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.save(file.toString(), "checkpointTransferBytesPerSecond", "1000"));
        assertTrue(ConsoleSettings.save(file.toString(), "checkpointTransferBytesPerSecond", "65536").startsWith("checkpointTransferBytesPerSecond = 65536 saved"));
    }

    @Test
    void thePageNamesTheFileAndTheScopeOfEverySetting() {
        Map<String, Object> model = Map.of("settings", Map.of("holdLogCount", 1000, "groupCount", 4));
        String html = ConsoleSettings.html(model, "/n/settings.properties");
        assertTrue(html.contains("it goes to /n/settings.properties"), html);
        assertTrue(html.contains("<tr data-setting='groupCount'><td>groupCount</td><td class='value'>4</td><td>cluster: "), html);
        assertTrue(ConsoleSettings.html(model, null).contains("set them in the node file"), "no launcher: where to set them instead");
    }
}
