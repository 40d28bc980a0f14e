package paxos.plugins.config.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigGogoCommandsTest {
    @TempDir Path dir;

    @Test
    void assignmentsAreStringsUnlessTyped() {
        Map<String, Object> p = ConfigGogoCommands.parse("name=a=b", "port:Integer=80", "n:Long=5", "on:Boolean=true",
                "r:Double=0.5", "hosts:String[]=x, y", "ids:Long[]=", "url:x=1");
        assertEquals("a=b", p.get("name"));
        assertEquals(80, p.get("port"));
        assertEquals(5L, p.get("n"));
        assertEquals(true, p.get("on"));
        assertEquals(0.5, p.get("r"));
        assertArrayEquals(new String[] {"x", "y"}, (String[]) p.get("hosts"));
        assertArrayEquals(new Long[0], (Long[]) p.get("ids"));
        assertEquals("1", p.get("url:x"));
        assertThrows(IllegalArgumentException.class, () -> ConfigGogoCommands.parse("port:Integer=eighty"));
        assertThrows(IllegalArgumentException.class, () -> ConfigGogoCommands.parse("on:Boolean=yes"));
        assertThrows(IllegalArgumentException.class, () -> ConfigGogoCommands.parse("novalue"));
    }

    @Test
    void commandsGoThroughTheRestSemantics() throws Exception {
        try (ConfigStateMachine store = new ConfigStateMachine(dir)) {
            ConfigGogoCommands shell = new ConfigGogoCommands(
                    new ConfigHttp(new FakePaxosNode(store), store, "known"::equals, 1_000));
            assertEquals("200 version=1 {\"version\":1}", shell.put("known", "a:Integer=1"));
            assertTrue(shell.put("new.one", "a=1").startsWith("404 unknown PID"));
            assertEquals("200 version=2 {\"version\":2}", shell.put("--force", "new.one", "a=1"));
            assertEquals("200 version=1 {\"a:Integer\":1}", shell.get("known"));
            assertEquals("200 {\"known\":1,\"new.one\":2}", shell.list());
            assertEquals("204", shell.delete("known"));
            assertEquals("400 port: 'x' is not a valid Integer", shell.put("known", "port:Integer=x"));
        }
    }
}
