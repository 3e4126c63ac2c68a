package org.peerit.daemon.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.Daemon;
import org.peerit.daemon.DaemonConfig;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.swarm.EngineConfig;
import org.peerit.protocol.manifest.Manifest;
import org.peerit.protocol.manifest.ManifestCodec;
import org.peerit.protocol.manifest.TrackerAddress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control socket of a real daemon (no tracker running: the daemon must not mind). */
class ControlServerTest {
    @TempDir
    Path root;
    private Daemon daemon;
    private DaemonPaths paths;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        paths = DaemonPaths.of(7, Map.of("PEERIT_HOME", root.resolve("home").toString(),
                "XDG_RUNTIME_DIR", root.resolve("run").toString()));
        daemon = Daemon.start(new DaemonConfig(7, paths,
                EngineConfig.defaults(new TrackerAddress("127.0.0.1", 9)))); // nothing listens on port 9
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private List<JsonNode> exchange(String requestLine) throws IOException {
        try (AFUNIXSocket socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(paths.socket()))) {
            socket.getOutputStream().write((requestLine + "\n").getBytes(StandardCharsets.UTF_8));
            LineReader reader = new LineReader(socket.getInputStream(), 1 << 20);
            List<JsonNode> events = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                JsonNode e = json.readTree(line);
                events.add(e);
                String name = e.path("event").asText();
                if (!name.equals("hashing") && !name.equals("progress")) { // those two go on; any other ends it
                    break;
                }
            }
            return events;
        }
    }

    @Test
    void socketAndDirectoryArePrivate() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.socket())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.socketDir())));
    }

    @Test
    void answersStatus() throws Exception {
        JsonNode status = exchange("{\"op\":\"status\"}").get(0);
        assertEquals("status", status.path("event").asText());
        assertEquals(7, status.path("daemon").path("index").asInt());
        assertEquals(0, status.path("shares").size());
    }

    @Test
    void refusesBadRequestsWithOneLineErrors() throws Exception {
        assertTrue(exchange("not json").get(0).path("message").asText().startsWith("request is not JSON"));
        assertTrue(exchange("{\"op\":\"fly\"}").get(0).path("message").asText().contains("unknown request 'fly'"));
        assertTrue(exchange("{\"op\":\"register\",\"path\":\"relative/file\"}").get(0).path("message").asText()
                .contains("must be an absolute path"));
        String missing = exchange("{\"op\":\"register\",\"path\":\"" + root.resolve("missing") + "\"}").get(0)
                .path("message").asText();
        assertTrue(missing.contains("is not a regular file"), missing);
        Path bad = root.resolve("bad.p2p");
        Files.writeString(bad, "{\"peerit\":1,\"name\":\"../../etc/passwd\"}");
        String manifestError = exchange("{\"op\":\"download\",\"manifest\":\"" + bad + "\",\"dir\":\"" + root + "\"}")
                .get(0).path("message").asText();
        assertTrue(manifestError.contains("bad.p2p") && manifestError.contains("missing field"), manifestError);
    }

    @Test
    void registersWithProgressEventsEvenWhileTheTrackerIsDown() throws Exception {
        Path file = root.resolve("hello.txt");
        Files.writeString(file, "hello, swarm\n".repeat(100_000));
        List<JsonNode> events = exchange("{\"op\":\"register\",\"path\":\"" + file + "\"}");
        JsonNode done = events.get(events.size() - 1);
        assertEquals("registered", done.path("event").asText());
        Manifest manifest = new ManifestCodec().parse(done.path("manifest").asText());
        assertEquals("hello.txt", manifest.name());
        assertEquals(List.of("127.0.0.1:9"), manifest.trackers());
        assertEquals(Files.size(file), done.path("size").asLong());
        assertEquals(manifest.swarmId().hex(), done.path("swarm").asText());
        assertTrue(events.stream().anyMatch(e -> e.path("event").asText().equals("hashing")));
        JsonNode status = exchange("{\"op\":\"status\"}").get(0);
        assertEquals("SEEDING", status.path("shares").get(0).path("state").asText());
    }

    @Test
    void aSecondDaemonWithTheSameIndexIsRefused() {
        IOException e = assertThrows(IOException.class, () -> Daemon.start(new DaemonConfig(7, paths,
                EngineConfig.defaults(new TrackerAddress("127.0.0.1", 9)))));
        assertTrue(e.getMessage().contains("already running"), e.getMessage());
    }
}
