package org.peerit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.net.DatagramPacket;
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
        TestProcesses.stopAll(processes);
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
        // Daemon 2 as systemd's Type=notify starts it: it must say READY=1 on $NOTIFY_SOCKET once it serves.
        Path notifyPath = tmp.resolve("notify");
        Process daemon2;
        try (AFUNIXDatagramSocket manager = AFUNIXDatagramSocket.newInstance()) {
            manager.bind(AFUNIXSocketAddress.of(notifyPath));
            manager.setSoTimeout(30_000);
            Map<String, String> managed = new java.util.HashMap<>(env);
            managed.put("NOTIFY_SOCKET", notifyPath.toString());
            daemon2 = start(elsewhere, managed, "daemon-2", "daemon 2 running", peerit, "daemon", "2", tracker,
                    "--no-dht", "--no-lan");
            DatagramPacket ready = new DatagramPacket(new byte[512], 512);
            manager.receive(ready);
            String said = new String(ready.getData(), 0, ready.getLength(), StandardCharsets.UTF_8);
            assertTrue(said.startsWith("READY=1\nSTATUS=daemon 2 running"), said);
        }

        Path file = TestFiles.random(elsewhere.resolve("notes.bin"), 3 << 20);
        Result registered = run(elsewhere, env, peerit, "register", "notes.bin", "1");
        assertEquals(0, registered.exit(), registered.out());
        Path into = Files.createDirectories(tmp.resolve("downloads"));
        Result downloaded = run(elsewhere, env, peerit, "download", "notes.bin.p2p", "2", "--dir", into.toString());
        assertEquals(0, downloaded.exit(), downloaded.out());
        assertEquals(-1L, Files.mismatch(file, into.resolve("notes.bin")), "the copy is the original");
        assertEquals(0, run(elsewhere, env, peerit, "stop", "1").exit());
        // SIGTERM, as systemctl stop sends it: a clean stop, with the exit status the unit counts as success.
        daemon2.destroy();
        assertTrue(daemon2.waitFor(30, TimeUnit.SECONDS), "daemon 2 stops on SIGTERM");
        assertEquals(143, daemon2.exitValue());
        assertTrue(Files.readString(tmp.resolve("daemon-2.log")).contains("daemon 2 stopped"),
                Files.readString(tmp.resolve("daemon-2.log")));
    }

    /** The units pass systemd's own checks, where the machine has systemd-analyze. */
    @Test
    void theSystemdUnitsVerify() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            System.out.println("SKIP: systemd-analyze is not installed; the units are not verified here");
            return;
        }
        Path units = Path.of("src/dist/systemd").toAbsolutePath();
        Path bin = Path.of("..").toAbsolutePath().normalize();
        Path dir = Files.createDirectories(tmp.resolve("units"));
        // The paths the units expect (~/.local/bin, /usr/local/bin) point at this build's launchers instead, since
        // verify checks that each command exists.
        Files.writeString(dir.resolve("peerit@1.service"), Files.readString(units.resolve("peerit@.service"))
                .replace("%h/.local/bin/peerit", bin.resolve("peerit").toString()));
        Files.writeString(dir.resolve("peerit-tracker.service"), Files.readString(units.resolve("peerit-tracker.service"))
                .replace("/usr/local/bin/peerit-tracker", bin.resolve("peerit-tracker").toString()));
        // --man=no: the units name man:peerit(1), which this machine has not installed.
        Result verified = run(dir, Map.of("SYSTEMD_LOG_LEVEL", "notice"), "systemd-analyze", "verify", "--man=no",
                dir.resolve("peerit@1.service").toString(), dir.resolve("peerit-tracker.service").toString());
        assertEquals(0, verified.exit(), verified.out());
        assertTrue(!verified.out().contains("peerit"), "no complaint about our units:\n" + verified.out());
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
