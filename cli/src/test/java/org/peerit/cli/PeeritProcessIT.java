package org.peerit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The built jars run as a user runs them: {@code java -jar tracker.jar}, and the {@code ./peerit} launcher for the
 * daemons and every command. Builds nothing; runs after {@code mvn package}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeeritProcessIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path LAUNCHER = REPO.resolve("peerit");
    private static final Path TRACKER_JAR = REPO.resolve("tracker/target/tracker.jar");

    @TempDir
    Path tmp;
    private Path work;
    private Map<String, String> env;
    private int trackerPort;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Integer, Process> daemons = new HashMap<>();

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void startTracker() throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is executable");
        assertTrue(Files.exists(TRACKER_JAR), TRACKER_JAR + " is built");
        work = Files.createDirectories(tmp.resolve("work"));
        env = Map.of("PEERIT_HOME", tmp.resolve("home").toString(), "XDG_RUNTIME_DIR", tmp.resolve("run").toString(),
                "XDG_CONFIG_HOME", tmp.resolve("config").toString()); // never the user's own daemon settings
        try (ServerSocket probe = new ServerSocket(0)) {
            trackerPort = probe.getLocalPort();
        }
        spawn("tracker", List.of("java", "-jar", TRACKER_JAR.toString(), "--port", String.valueOf(trackerPort),
                "--bind", "127.0.0.1", "--interval", "2"));
    }

    @AfterEach
    void stopAll() throws Exception {
        TestProcesses.stopAll(processes);
    }

    private Process spawn(String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(tmp.resolve(name + ".out").toFile()).redirectError(tmp.resolve(name + ".err").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private Process startDaemon(int index, String... options) throws Exception {
        // No DHT and no LAN discovery: a test's traffic stays on loopback.
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "daemon", String.valueOf(index),
                "127.0.0.1:" + trackerPort, "--no-dht", "--no-lan"));
        cmd.addAll(List.of(options));
        String name = "daemon-" + index + "-" + processes.size();
        Process p = spawn(name, cmd);
        daemons.put(index, p);
        Path err = tmp.resolve(name + ".err");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(err).contains("daemon " + index + " running")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail("daemon " + index + " did not start: " + logs());
            }
            Thread.sleep(50);
        }
        return p;
    }

    private Result peerit(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("peerit " + String.join(" ", args) + " did not finish: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
    }

    private String logs() throws IOException {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(tmp)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".err"))::iterator) {
                out.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
            }
        }
        return out.toString();
    }

    private Path randomFile(String name, long size) throws IOException {
        return TestFiles.random(work.resolve(name), size);
    }

    private JsonNode status(int index) throws Exception {
        Result r = peerit("status", String.valueOf(index), "--json");
        assertEquals(0, r.exit(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void shareAndDownloadThroughTheLauncher() throws Exception {
        Result noDaemon = peerit("status", "1");
        assertEquals(Peerit.EXIT_NO_DAEMON, noDaemon.exit());
        assertEquals("peerit: daemon 1 is not running; start it with: peerit daemon 1 TRACKER_HOST:59000", noDaemon.err());

        startDaemon(1);
        startDaemon(2);
        Path original = randomFile("report.pdf", 3 * 1024 * 1024 + 17);
        Result registered = peerit("register", "report.pdf", "1");
        assertEquals(0, registered.exit(), registered.err());
        assertEquals(work.resolve("report.pdf.p2p").toString(), registered.out());

        Path out = Files.createDirectories(work.resolve("downloads"));
        Result downloaded = peerit("download", "report.pdf.p2p", "2", "--dir", "downloads");
        assertEquals(0, downloaded.exit(), downloaded.err() + logs());
        assertEquals(out.resolve("report.pdf").toString(), downloaded.out());
        assertEquals(-1L, Files.mismatch(original, out.resolve("report.pdf")));
        assertTrue(downloaded.err().contains("downloaded and verified report.pdf"), downloaded.err());

        Result again = peerit("download", "report.pdf.p2p", "2", "--dir", "downloads");
        assertEquals(0, again.exit(), "downloading what the daemon already has succeeds at once: " + again.err());

        Result status = peerit("status", "2");
        assertEquals(0, status.exit());
        assertTrue(status.out().contains("report.pdf  seeding  100.0%"), status.out());
        // With no index: every running daemon of this user, as text and as a JSON array.
        Result everyone = peerit("status");
        assertEquals(0, everyone.exit(), everyone.err());
        assertTrue(everyone.out().contains("daemon 1  peer") && everyone.out().contains("daemon 2  peer"), everyone.out());
        Result everyoneJson = peerit("status", "--json");
        assertEquals(0, everyoneJson.exit(), everyoneJson.err());
        JsonNode reports = new ObjectMapper().readTree(everyoneJson.out());
        assertEquals(2, reports.size(), everyoneJson.out());
        assertEquals(1, reports.get(0).path("daemon").path("index").asInt());
        assertEquals(2, reports.get(1).path("daemon").path("index").asInt());
        assertEquals("seeding", reports.get(1).path("shares").get(0).path("state").asText().toLowerCase());

        Files.writeString(work.resolve("evil.p2p"), Files.readString(work.resolve("report.pdf.p2p"))
                .replace("\"report.pdf\"", "\"../evil\""));
        Result evil = peerit("download", "evil.p2p", "2");
        assertEquals(1, evil.exit());
        assertTrue(evil.err().startsWith("peerit: ") && evil.err().contains("path separator"), evil.err());
        assertEquals(1, evil.err().lines().count(), "one line: " + evil.err());

        Result missing = peerit("register", "nope.txt", "1");
        assertEquals(1, missing.exit());
        assertEquals("peerit: " + work.resolve("nope.txt") + " does not exist", missing.err());

        Result stop = peerit("stop", "1");
        assertEquals(0, stop.exit(), stop.err());
        assertTrue(daemons.get(1).waitFor(15, TimeUnit.SECONDS), "daemon 1 exits after peerit stop");
        assertEquals(0, daemons.get(1).exitValue());
    }

    private Result diff(Path a, Path b) throws Exception {
        Process p = new ProcessBuilder("diff", "-r", "--no-dereference", a.toString(), b.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out.strip(), "");
    }

    @Test
    void aFolderSharedByLinkArrivesAsTheSameTreeAndOnlyPicksFiles() throws Exception {
        Path album = Files.createDirectories(work.resolve("album"));
        Files.createDirectories(album.resolve("empty folder"));
        Files.createDirectories(album.resolve("disc 1/bonus"));
        TestFiles.random(album.resolve("disc 1/01 intro.flac"), 2 * 1024 * 1024 + 3);
        TestFiles.random(album.resolve("disc 1/bonus/notes.txt"), 1234);
        TestFiles.random(album.resolve("Café Ünïcode 日本.txt"), 5000);
        Files.write(album.resolve("empty.txt"), new byte[0]);
        Files.createSymbolicLink(album.resolve("shortcut"), album.resolve("empty.txt"));
        startDaemon(1);
        startDaemon(2);
        startDaemon(3);

        Result registered = peerit("register", "album", "1");
        assertEquals(0, registered.exit(), registered.err());
        assertEquals(work.resolve("album.p2p").toString(), registered.out(), "stdout stays the manifest's path");
        assertTrue(registered.err().contains("skipped shortcut (a symbolic link: not followed)"), registered.err());
        String link = registered.err().lines().map(String::strip).filter(l -> l.startsWith("peerit://"))
                .findFirst().orElseThrow(() -> new AssertionError("no link in: " + registered.err()));
        Result linked = peerit("link", "album.p2p");
        assertEquals(0, linked.exit(), linked.err());
        assertEquals(link, linked.out());
        assertTrue(link.contains("dn=album") && link.contains("&tr=127.0.0.1:" + trackerPort), link);
        // --json: one document on stdout, the same facts.
        ObjectMapper json = new ObjectMapper();
        JsonNode linkJson = json.readTree(peerit("link", "album.p2p", "--json").out());
        assertEquals(link, linkJson.path("link").asText());
        assertEquals("album", linkJson.path("name").asText());
        assertEquals("127.0.0.1:" + trackerPort, linkJson.path("trackers").get(0).asText());
        Result again = peerit("register", "album", "1", "--json");
        assertEquals(0, again.exit(), again.err());
        JsonNode registeredJson = json.readTree(again.out());
        assertEquals(work.resolve("album.p2p").toString(), registeredJson.path("manifest").asText());
        assertEquals(link, registeredJson.path("link").asText());
        assertEquals(linkJson.path("swarm").asText(), registeredJson.path("swarm").asText());
        assertEquals("shortcut (a symbolic link: not followed)", registeredJson.path("skipped").get(0).asText());

        Path downloads = Files.createDirectories(work.resolve("downloads"));
        Result downloaded = peerit("download", link, "2", "--dir", "downloads");
        assertEquals(0, downloaded.exit(), downloaded.err() + logs());
        assertEquals(downloads.resolve("album").toString(), downloaded.out());
        Result diff = diff(album, downloads.resolve("album"));
        assertEquals("Only in " + album + ": shortcut", diff.out(), "the same tree, byte for byte, but the link");
        Result status = peerit("status", "2");
        assertTrue(status.out().contains("files: 4 of 4 in place"), status.out());

        Path part = Files.createDirectories(work.resolve("part"));
        Result only = peerit("download", "album.p2p", "3", "--dir", "part", "--only", "*.txt", "--only", "disc 1/bonus/*",
                "--json");
        assertEquals(0, only.exit(), only.err() + logs());
        assertEquals(part.resolve("album").toString(), json.readTree(only.out()).path("path").asText());
        List<String> got = new ArrayList<>();
        try (var walk = Files.walk(part.resolve("album"))) {
            walk.filter(Files::isRegularFile).forEach(f -> got.add(part.resolve("album").relativize(f).toString()));
        }
        got.sort(null);
        assertEquals(List.of("Café Ünïcode 日本.txt", "disc 1/bonus/notes.txt", "empty.txt"), got);
        assertEquals(-1L, Files.mismatch(album.resolve("disc 1/bonus/notes.txt"), part.resolve("album/disc 1/bonus/notes.txt")));
        Result removed = peerit("remove", link, "3", "--delete", "--json"); // a link names a share as a manifest does
        assertEquals(0, removed.exit(), removed.err());
        JsonNode removedJson = json.readTree(removed.out());
        assertEquals("album", removedJson.path("name").asText());
        assertTrue(removedJson.path("deleted").size() > 0, removed.out());
        assertFalse(Files.exists(part.resolve("album")), "what peerit wrote, folders included, is gone");

        Files.writeString(work.resolve("evil.p2p"), Files.readString(work.resolve("album.p2p"))
                .replace("\"bonus\"", "\"..\""));
        Result evil = peerit("download", "evil.p2p", "2");
        assertEquals(1, evil.exit());
        assertTrue(evil.err().contains("files[") && evil.err().contains("disc 1/../notes.txt")
                && evil.err().contains("not a file name"), evil.err());
        assertEquals(1, evil.err().lines().count(), "one line: " + evil.err());
    }

    @Test
    void aDaemonKilledMidDownloadResumesWithOnlyUnverifiedChunksFetchedAgain() throws Exception {
        startDaemon(1, "--max-upload-rate", "2M");
        Path original = randomFile("big.bin", 12L * 1024 * 1024);
        assertEquals(0, peerit("register", "big.bin", "1").exit());
        Process leecher = startDaemon(2);
        Path out = Files.createDirectories(work.resolve("out"));
        Process download = spawn("download-1", List.of(LAUNCHER.toString(), "download", "big.bin.p2p", "2", "--dir", "out"));

        long size = Files.size(original);
        long verified = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (verified < size / 4) {
            if (System.nanoTime() > deadline) {
                fail("download made no progress: " + logs());
            }
            Thread.sleep(200);
            JsonNode shares = status(2).path("shares");
            verified = shares.isEmpty() ? 0 : shares.get(0).path("verifiedBytes").asLong();
        }
        leecher.destroyForcibly(); // SIGKILL: no shutdown hook, no final state save
        assertTrue(leecher.waitFor(10, TimeUnit.SECONDS));
        assertTrue(download.waitFor(10, TimeUnit.SECONDS), "the CLI notices its daemon died");
        assertEquals(1, download.exitValue());
        assertTrue(Files.readString(tmp.resolve("download-1.err")).contains("daemon closed the connection"));
        assertTrue(Files.exists(out.resolve("big.bin.part")));

        startDaemon(2);
        Result resumed = peerit("download", "big.bin.p2p", "2", "--dir", "out");
        assertEquals(0, resumed.exit(), resumed.err() + logs());
        assertEquals(-1L, Files.mismatch(original, out.resolve("big.bin")));
        long fetchedAfterRestart = status(2).path("shares").get(0).path("downloaded").asLong();
        assertTrue(fetchedAfterRestart <= size - verified,
                "fetched " + fetchedAfterRestart + " bytes after the restart; " + verified + " were verified before the kill");
    }

    @Test
    void removeCancelsADownloadAndDeletesOnlyWhatPeeritWrote() throws Exception {
        startDaemon(1, "--max-upload-rate", "1M");
        Path original = randomFile("album.flac", 12L * 1024 * 1024);
        assertEquals(0, peerit("register", "album.flac", "1").exit());
        startDaemon(2);
        Path out = Files.createDirectories(work.resolve("out"));
        Process download = spawn("download-rm", List.of(LAUNCHER.toString(), "download", "album.flac.p2p", "2", "--dir", "out"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (status(2).path("shares").isEmpty() || status(2).path("shares").get(0).path("verifiedBytes").asLong() == 0) {
            if (System.nanoTime() > deadline) {
                fail("download made no progress: " + logs());
            }
            Thread.sleep(100);
        }
        // By manifest path, without --delete: the download stops, the .part stays.
        Result kept = peerit("remove", "album.flac.p2p", "2");
        assertEquals(0, kept.exit(), kept.err());
        assertTrue(kept.err().contains("removed album.flac"), kept.err());
        assertTrue(kept.err().contains("kept " + out.resolve("album.flac.part")), kept.err());
        assertTrue(download.waitFor(10, TimeUnit.SECONDS), "the download command ends");
        assertEquals(1, download.exitValue());
        assertTrue(Files.readString(tmp.resolve("download-rm.err")).contains("the download was removed"));
        assertTrue(Files.exists(out.resolve("album.flac.part")));
        assertTrue(status(2).path("shares").isEmpty());

        // The .part is the user's now: a new download does not take it over, it goes elsewhere.
        Result inTheWay = peerit("download", "album.flac.p2p", "2", "--dir", "out");
        assertEquals(1, inTheWay.exit());
        assertTrue(inTheWay.err().contains("album.flac.part already exists and is not a download peerit knows of"),
                inTheWay.err());
        Path out2 = Files.createDirectories(work.resolve("out2"));
        Process again = spawn("download-rm2", List.of(LAUNCHER.toString(), "download", "album.flac.p2p", "2", "--dir", "out2"));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (status(2).path("shares").isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("the download did not start again: " + logs());
            }
            Thread.sleep(100);
        }
        Result refused = peerit("download", "album.flac.p2p", "2", "--dir", ".");
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("already downloads " + out2.resolve("album.flac")), refused.err());
        Result deleted = peerit("remove", "album.flac", "2", "--delete");
        assertEquals(0, deleted.exit(), deleted.err());
        assertTrue(deleted.err().contains("deleted " + out2.resolve("album.flac.part")), deleted.err());
        assertTrue(again.waitFor(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(out2.resolve("album.flac.part")));
        assertTrue(Files.exists(out.resolve("album.flac.part")), "the .part it gave up is left alone");

        // The seeder's file is the user's own: --delete stops sharing it and leaves it.
        String swarm = status(1).path("shares").get(0).path("swarm").asText();
        Result seeder = peerit("remove", swarm.substring(0, 8), "1", "--delete");
        assertEquals(0, seeder.exit(), seeder.err());
        assertTrue(seeder.err().contains("registered: your own file"), seeder.err());
        assertTrue(Files.exists(original));
        Result none = peerit("remove", "album.flac", "1");
        assertEquals(1, none.exit());
        assertEquals("peerit: no share matches 'album.flac'; peerit status lists names and swarm ids", none.err());
    }
}
