package org.peerit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The release archive as a user installs it: unpacked into a directory of its own, far from the repository, its
 * {@code bin/} scripts run from another directory, a tracker and two daemons share and download a file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReleaseArchiveIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();

    @TempDir
    Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private record Result(int exit, String out) {
    }

    private Result run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finishes");
        return new Result(p.exitValue(), out.strip());
    }

    private Process start(Path dir, Map<String, String> env, String name, String awaited, String... command)
            throws Exception {
        Path log = tmp.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains(awaited)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail(name + " did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    @Test
    void unpackedAnywhereItsScriptsRunFromAnyDirectoryAndShareAFile() throws Exception {
        Path archive;
        try (Stream<Path> files = Files.list(TARGET)) {
            archive = files.filter(f -> f.getFileName().toString().matches("peerit-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no peerit-VERSION.tar.gz in " + TARGET + "; run mvn package"));
        }
        Path prefix = Files.createDirectories(tmp.resolve("opt"));
        assertEquals(0, run(prefix, Map.of(), "tar", "xzf", archive.toString()).exit());
        Path home;
        try (Stream<Path> dirs = Files.list(prefix)) {
            home = dirs.findFirst().orElseThrow();
        }
        for (String f : List.of("bin/peerit", "bin/peerit-tracker", "lib/peerit/peerit.jar", "lib/peerit/tracker.jar",
                "share/doc/peerit/README.md", "share/doc/peerit/LICENSE", "share/man/man1/peerit.1",
                "share/bash-completion/completions/peerit")) {
            assertTrue(Files.exists(home.resolve(f)), f + " is in the archive");
        }
        assertTrue(Files.readString(home.resolve("share/man/man1/peerit.1")).startsWith(".TH PEERIT 1"));
        assertTrue(Files.readString(home.resolve("share/man/man1/peerit.1")).contains(".SS peerit download"));
        assertTrue(Files.readString(home.resolve("share/bash-completion/completions/peerit")).contains("--dht-bootstrap"));

        Path elsewhere = Files.createDirectories(tmp.resolve("somewhere else"));
        Map<String, String> env = Map.of("PEERIT_HOME", tmp.resolve("data").toString(),
                "XDG_RUNTIME_DIR", tmp.resolve("run").toString(), "XDG_CONFIG_HOME", tmp.resolve("config").toString());
        String peerit = home.resolve("bin/peerit").toString();
        Result version = run(elsewhere, env, peerit, "--version");
        assertEquals(0, version.exit(), version.out());
        assertTrue(version.out().matches("peerit \\d.*"), version.out());
        // Linked from a directory on the PATH, as an install to ~/.local/bin would.
        Path binDir = Files.createDirectories(tmp.resolve("local/bin"));
        Files.createSymbolicLink(binDir.resolve("peerit"), home.resolve("bin/peerit"));
        Result linked = run(elsewhere, env, binDir.resolve("peerit").toString(), "--version");
        assertEquals(version, linked, "the same program through a link");

        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        start(elsewhere, env, "tracker", "tracker listening", home.resolve("bin/peerit-tracker").toString(),
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--interval", "2");
        String tracker = "127.0.0.1:" + port;
        start(elsewhere, env, "daemon-1", "daemon 1 running", peerit, "daemon", "1", tracker, "--no-dht", "--no-lan");
        start(elsewhere, env, "daemon-2", "daemon 2 running", peerit, "daemon", "2", tracker, "--no-dht", "--no-lan");

        Path file = TestFiles.random(elsewhere.resolve("notes.bin"), 3 << 20);
        Result registered = run(elsewhere, env, peerit, "register", "notes.bin", "1");
        assertEquals(0, registered.exit(), registered.out());
        Path into = Files.createDirectories(tmp.resolve("downloads"));
        Result downloaded = run(elsewhere, env, peerit, "download", "notes.bin.p2p", "2", "--dir", into.toString());
        assertEquals(0, downloaded.exit(), downloaded.out());
        assertEquals(-1L, Files.mismatch(file, into.resolve("notes.bin")), "the copy is the original");
        for (int i = 1; i <= 2; i++) {
            assertEquals(0, run(elsewhere, env, peerit, "stop", String.valueOf(i)).exit());
        }
    }

    /** The man page renders, where the machine has man. */
    @Test
    void theManPageRenders() throws Exception {
        Path page = TARGET.resolve("release/share/man/man1/peerit.1");
        assertTrue(Files.exists(page), page + " is built");
        if (!Files.isExecutable(Path.of("/usr/bin/man"))) {
            return; // its text is checked above; rendering needs man-db
        }
        Result shown = run(tmp, Map.of("MANWIDTH", "100"), "man", "-l", page.toString());
        assertEquals(0, shown.exit(), shown.out());
        assertTrue(shown.out().contains("EXIT STATUS") && shown.out().contains("peerit download"), shown.out());
    }
}
