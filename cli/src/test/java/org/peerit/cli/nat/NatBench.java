package org.peerit.cli.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.peerit.daemon.DaemonPaths;
import org.peerit.daemon.control.LineReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NAT benchmark behind {@code bench/nat}: for each kind of pair in the {@link NatLab} (both behind cone NATs:
 * punched; behind one NAT: LAN; both behind symmetric NATs: relayed), one seeder and one downloader, a file of
 * {@code SIZE_MIB} (default 32); prints the time to the first verified chunk and to the whole verified file as
 * {@code RESULT} lines. Needs root. Run from the repository root after {@code mvn package}.
 */
public final class NatBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Pair { PUNCHED, LAN, RELAY }

    public static void main(String[] args) throws Exception {
        String why = NatLab.unavailableReason();
        if (why != null) {
            System.out.println("SKIP nat lab: " + why);
            return;
        }
        long sizeMib = Long.parseLong(System.getenv().getOrDefault("SIZE_MIB", "32"));
        Path repo = Path.of("").toAbsolutePath();
        for (Pair pair : Pair.values()) {
            Path tmp = Files.createTempDirectory("peerit-natbench");
            try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
                run(pair, lab, new LabSwarm(lab, repo, tmp), tmp, sizeMib);
            } finally {
                deleteTree(tmp);
            }
        }
    }

    private static void run(Pair pair, NatLab lab, LabSwarm swarm, Path tmp, long sizeMib) throws Exception {
        String downloader;
        String seeder;
        if (pair == Pair.LAN) {
            int router = lab.router(false);
            downloader = lab.host(router, 1);
            seeder = lab.host(router, 2);
        } else {
            boolean symmetric = pair == Pair.RELAY;
            downloader = lab.host(lab.router(symmetric), 1);
            seeder = lab.host(lab.router(symmetric), 1);
        }
        // The relay's own rate limit is lifted: this measures the path, not the policy (default 2 MiB/s a pair).
        swarm.startTracker("--relay-rate", "1G", "--relay-bytes", "4G");
        swarm.startDaemon(downloader, 1);
        swarm.startDaemon(seeder, 2);
        Path file = swarm.randomFile("bench.bin", sizeMib << 20);
        NatLab.Result registered = swarm.peerit(seeder, 120, "register", file.toString(), "2");
        if (registered.exit() != 0) {
            throw new IOException("register failed: " + registered.output());
        }
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        Path socket = DaemonPaths.of(1, Map.of("PEERIT_HOME", tmp.resolve("home").toString(),
                "XDG_RUNTIME_DIR", tmp.resolve("run").toString())).socket();
        long start = System.nanoTime();
        Process download = swarm.peeritAsync(downloader, "download", "download", "bench.bin.p2p", "1", "--dir", into.toString());
        long firstChunk = -1;
        while (true) {
            JsonNode share = status(socket);
            long verified = share == null ? 0 : share.path("verifiedBytes").asLong();
            if (firstChunk < 0 && verified > 0) {
                firstChunk = System.nanoTime() - start;
            }
            if (share != null && share.path("state").asText().equalsIgnoreCase("seeding")) {
                break;
            }
            if (!download.isAlive() && download.exitValue() != 0) {
                throw new IOException(pair + ": download failed:\n" + swarm.log("download") + swarm.log("daemon-1"));
            }
            if (System.nanoTime() - start > 300_000_000_000L) {
                throw new IOException(pair + ": no verified file after 300 s:\n" + swarm.log("daemon-1"));
            }
            Thread.sleep(10);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Matcher path = Pattern.compile("over (tcp|quic-[a-z]+)").matcher(swarm.log("daemon-1"));
        System.out.printf(java.util.Locale.ROOT,
                "RESULT bench=nat pair=%s path=%s size_mib=%d ttfb_ms=%d wall_s=%.2f mib_per_s=%.1f%n",
                pair.name().toLowerCase(java.util.Locale.ROOT), path.find() ? path.group(1) : "?", sizeMib,
                firstChunk / 1_000_000, wall, sizeMib / wall);
    }

    /** The first share in daemon 1's status, or null while it has none (or its socket is not up). */
    private static JsonNode status(Path socket) throws IOException {
        try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
            s.getOutputStream().write("{\"op\":\"status\"}\n".getBytes(StandardCharsets.UTF_8));
            String line = new LineReader(s.getInputStream(), 16 << 20).readLine();
            JsonNode shares = line == null ? null : JSON.readTree(line).path("shares");
            return shares == null || shares.isEmpty() ? null : shares.get(0);
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
