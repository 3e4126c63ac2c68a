package org.peerit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.peerit.daemon.swarm.EngineConfig;
import org.peerit.protocol.manifest.TrackerAddress;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A daemon's settings file: what it sets, what the command line overrides, and errors that name file and line. */
class DaemonConfigFileTest {
    @TempDir
    Path tmp;

    private Path file(String text) throws IOException {
        return Files.writeString(tmp.resolve("daemon-1.conf"), text);
    }

    private static EngineConfig resolve(DaemonConfigFile file, String... args) {
        DaemonCommand command = new DaemonCommand();
        new CommandLine(command).parseArgs(args);
        return command.engineConfig(file);
    }

    @Test
    void theFileSetsWhatTheCommandLineDoesNotAndFlagsWin() throws Exception {
        DaemonConfigFile conf = DaemonConfigFile.read(file("""
                # daemon 1 at home
                tracker = a.example:1
                tracker = b.example:2
                port = 51413
                dht = off
                max-upload-rate = 2M
                """));
        EngineConfig fromFile = resolve(conf, "1");
        assertEquals(List.of(new TrackerAddress("a.example", 1), new TrackerAddress("b.example", 2)), fromFile.trackers());
        assertEquals(51413, fromFile.listenPort());
        assertFalse(fromFile.dht().enabled());
        assertEquals(2L << 20, fromFile.maxUploadRate());

        EngineConfig flags = resolve(DaemonConfigFile.read(file("tracker = a.example:1\nport = 51413\nlan = off\n")),
                "1", "c.example:3", "--port", "6000");
        assertEquals(List.of(new TrackerAddress("c.example", 3)), flags.trackers(), "trackers given replace the file's");
        assertEquals(6000, flags.listenPort(), "a flag wins over the file");
        assertEquals(0, flags.lanPort(), "what the flags leave alone comes from the file");
        assertTrue(flags.dht().enabled());
    }

    @Test
    void noFileIsNoSettings() throws Exception {
        EngineConfig none = resolve(DaemonConfigFile.read(tmp.resolve("absent.conf")), "1");
        assertEquals(List.of(), none.trackers());
        assertEquals(0, none.listenPort());
        assertEquals(tmp.resolve("cfg/peerit/daemon-2.conf"),
                DaemonConfigFile.defaultPath(2, Map.of("XDG_CONFIG_HOME", tmp.resolve("cfg").toString())));
        assertEquals(Path.of("/home/u/.config/peerit/daemon-1.conf"), DaemonConfigFile.defaultPath(1, Map.of("HOME", "/home/u")));
    }

    @Test
    void everyErrorNamesTheFileAndTheLine() throws Exception {
        record Case(String text, int line, String says) {
        }
        for (Case c : List.of(
                new Case("port = 1\nspeed = 3\n", 2, "unknown setting 'speed'"),
                new Case("# fine\n\nport = 70000\n", 3, "outside 0..65535"),
                new Case("port = x\n", 1, "not a number"),
                new Case("max-upload-rate = lots\n", 1, "max-upload-rate"),
                new Case("dht yes\n", 1, "expected 'key = value'"),
                new Case("dht = maybe\n", 1, "give on or off"),
                new Case("port = 1\nport = 2\n", 2, "set twice"),
                new Case("tracker = :1\n", 1, "tracker"))) {
            Path f = file(c.text());
            IOException e = assertThrows(IOException.class, () -> DaemonConfigFile.read(f), c.text());
            assertTrue(e.getMessage().startsWith(f + ":" + c.line() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c.says()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
