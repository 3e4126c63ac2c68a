package org.peerit.cli.nat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NAT benchmark behind {@code bench/nat}: for each kind of pair in the {@link NatLab} (both behind cone NATs:
 * punched; behind one NAT: LAN; both behind symmetric NATs: relayed), one seeder and one downloader, a file of
 * {@code SIZE_MIB} (default 32); prints the time to the first verified chunk and to the whole verified file as
 * {@code RESULT} lines. Needs root. Run from the repository root after {@code mvn package}.
 */
public final class NatBench {

    /** RELAY lifts the relay's rate limit to measure the path; RELAY_DEFAULTS keeps a tracker's default limits. */
    private enum Pair { PUNCHED, LAN, RELAY, RELAY_DEFAULTS, CONE_SYMMETRIC }

    public static void main(String[] args) throws Exception {
        String why = NatLab.unavailableReason();
        if (why != null) {
            System.out.println("SKIP nat lab: " + why);
            return;
        }
        long sizeMib = Long.parseLong(System.getenv().getOrDefault("SIZE_MIB", "32"));
        Path repo = Path.of("").toAbsolutePath();
        String only = System.getenv().getOrDefault("PAIRS", "");
        for (Pair pair : Pair.values()) {
            if (!only.isBlank() && !List.of(only.trim().split("\\s+")).contains(label(pair))) {
                continue;
            }
            if (pair == Pair.CONE_SYMMETRIC) {
                birthdayTries(repo, Integer.parseInt(System.getenv().getOrDefault("BIRTHDAY_TRIES", "20")));
                continue;
            }
            Path tmp = Files.createTempDirectory("peerit-natbench");
            try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
                run(pair, lab, new LabSwarm(lab, repo, tmp), sizeMib, false).print(pair, sizeMib);
            } finally {
                LabFiles.deleteTree(tmp);
            }
        }
    }

    /**
     * Cone to symmetric, {@code tries} times (the symmetric side downloads in odd tries, seeds in even ones), 16 MiB
     * each through a tracker with its default relay limit (2 MiB/s a pair, so the file cannot have come over the relay
     * before a punch could open): how often the pair ends on a punched path (by a birthday punch) rather than the relay.
     */
    private static void birthdayTries(Path repo, int tries) throws Exception {
        int punched = 0;
        List<Long> ttfb = new ArrayList<>();
        for (int i = 1; i <= tries; i++) {
            Path tmp = Files.createTempDirectory("peerit-natbench");
            try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
                Measured m = run(Pair.CONE_SYMMETRIC, lab, new LabSwarm(lab, repo, tmp), 16, i % 2 == 1);
                punched += m.path().equals("quic-punched") ? 1 : 0;
                ttfb.add(m.ttfbMillis());
                System.out.printf(java.util.Locale.ROOT, "try %d: symmetric %s, ended on %s%n", i,
                        i % 2 == 1 ? "downloader" : "seeder", m.path());
            } finally {
                LabFiles.deleteTree(tmp);
            }
        }
        ttfb.sort(null);
        System.out.printf(java.util.Locale.ROOT, "RESULT bench=nat pair=cone-symmetric tries=%d punched=%d relayed=%d"
                + " ttfb_ms_median=%d%n", tries, punched, tries - punched, ttfb.get(ttfb.size() / 2));
    }

    private static String label(Pair pair) {
        return pair.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** One run: the path the download ended on, and its times. */
    private record Measured(String path, long ttfbMillis, double wallSeconds) {
        void print(Pair pair, long sizeMib) {
            System.out.printf(java.util.Locale.ROOT,
                    "RESULT bench=nat pair=%s path=%s size_mib=%d ttfb_ms=%d wall_s=%.2f mib_per_s=%.1f%n",
                    label(pair), path, sizeMib, ttfbMillis,
                    wallSeconds, sizeMib / wallSeconds);
        }
    }

    private static Measured run(Pair pair, NatLab lab, LabSwarm swarm, long sizeMib, boolean symmetricDownloader)
            throws Exception {
        String downloader;
        String seeder;
        if (pair == Pair.LAN) {
            int router = lab.router(false);
            downloader = lab.host(router, 1);
            seeder = lab.host(router, 2);
        } else if (pair == Pair.CONE_SYMMETRIC) {
            downloader = lab.host(lab.router(symmetricDownloader), 1);
            seeder = lab.host(lab.router(!symmetricDownloader), 1);
        } else {
            boolean symmetric = pair == Pair.RELAY || pair == Pair.RELAY_DEFAULTS;
            downloader = lab.host(lab.router(symmetric), 1);
            seeder = lab.host(lab.router(symmetric), 1);
        }
        if (pair == Pair.RELAY_DEFAULTS || pair == Pair.CONE_SYMMETRIC) {
            swarm.startTracker(); // 2 MiB/s a pair
        } else {
            // The relay's own rate limit is lifted: this measures the path, not the policy.
            swarm.startTracker("--relay-rate", "1G", "--relay-bytes", "4G");
        }
        swarm.startDaemon(downloader, 1);
        swarm.startDaemon(seeder, 2);
        Path file = swarm.randomFile("bench.bin", sizeMib << 20);
        NatLab.Result registered = swarm.peerit(seeder, 120, "register", file.toString(), "2");
        if (registered.exit() != 0) {
            throw new IOException("register failed: " + registered.output());
        }
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        long start = System.nanoTime();
        Process download = swarm.peeritAsync(downloader, "download", "download", "bench.bin.p2p", "1", "--dir", into.toString());
        long firstChunk = -1;
        while (true) {
            JsonNode share = swarm.firstShare(1);
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
        // The path the session ended on: the last one connected over (a relayed session may have moved).
        Matcher path = Pattern.compile("over (tcp|quic-[a-z]+)").matcher(swarm.log("daemon-1"));
        String last = "?";
        while (path.find()) {
            last = path.group(1);
        }
        return new Measured(last, firstChunk / 1_000_000, wall);
    }
}
