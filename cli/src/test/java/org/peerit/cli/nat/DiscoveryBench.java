package org.peerit.cli.nat;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The discovery benchmark behind {@code bench/discovery}, in the {@link NatLab} (needs root): for each source of
 * peers, the time from the {@code download} command to the first verified chunk and to the whole file, with aria2
 * (mktorrent, its DHT and its local peer discovery) in the same lab where it is installed; then the DHT's cost when
 * idle: the traffic of one node of an 8-node DHT over {@code IDLE_S} seconds, scaled to an hour, and a daemon's
 * resident memory with and without the DHT. Run from the repository root after {@code mvn package}.
 */
public final class DiscoveryBench {
    private static final long MIB = 1 << 20;

    /** How the downloader finds the seed. */
    private enum Source { TRACKER, DHT, DHT8, LAN }

    public static void main(String[] args) throws Exception {
        String why = NatLab.unavailableReason();
        if (why != null) {
            System.out.println("SKIP bench=discovery: " + why);
            return;
        }
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        long sizeMib = Long.parseLong(System.getenv().getOrDefault("SIZE_MIB", "4"));
        long idleSeconds = Long.parseLong(System.getenv().getOrDefault("IDLE_S", "300"));
        boolean aria2 = LabFiles.onPath("aria2c") && LabFiles.onPath("mktorrent");
        if (!aria2) {
            System.out.println("SKIP tool=aria2: aria2c or mktorrent is not installed (apt-get install aria2 mktorrent)");
        }
        Path repo = Path.of("").toAbsolutePath();
        String only = System.getenv().getOrDefault("SOURCES", "tracker,dht,dht8,lan");
        boolean aria2Too = aria2 && !"0".equals(System.getenv("ARIA2"));
        for (Source source : Source.values()) {
            if (!List.of(only.split(",")).contains(source.name().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (int run = 1; run <= runs; run++) {
                inLab(repo, (lab, swarm, tmp) -> peerit(source, lab, swarm, tmp, sizeMib), source, "peerit");
                if (aria2Too && source != Source.TRACKER && source != Source.DHT8) {
                    inLab(repo, (lab, swarm, tmp) -> aria2(source, lab, swarm, sizeMib), source, "aria2");
                }
            }
        }
        if (idleSeconds > 0) {
            inLab(repo, (lab, swarm, tmp) -> idle(lab, swarm, tmp, idleSeconds), null, "idle");
        }
    }

    private interface Bench {
        void run(NatLab lab, LabSwarm swarm, Path tmp) throws Exception;
    }

    private static void inLab(Path repo, Bench bench, Source source, String what) throws Exception {
        Path tmp = Files.createTempDirectory("peerit-discoverybench");
        try (NatLab lab = new NatLab(Files.createDirectories(tmp.resolve("logs")))) {
            bench.run(lab, new LabSwarm(lab, repo, tmp), tmp);
        } catch (Exception e) {
            System.out.println("FAIL bench=discovery source=" + source + " tool=" + what + ": " + e.getMessage());
        } finally {
            if ("1".equals(System.getenv("KEEP"))) {
                System.out.println("KEPT " + tmp); // logs of every process, for a closer look
            } else {
                LabFiles.deleteTree(tmp);
            }
        }
    }

    private static String dhtNode(int index) {
        return LabSwarm.dhtNode(index);
    }

    private static void peerit(Source source, NatLab lab, LabSwarm swarm, Path tmp, long sizeMib) throws Exception {
        String seed;
        String leech;
        int leechIndex = 2;
        switch (source) {
            case TRACKER -> {
                swarm.startTracker();
                seed = lab.publicHost(1);
                leech = lab.host(lab.router(false), 1);
                String tr = NatLab.TRACKER_IP + ":" + LabSwarm.TRACKER_PORT;
                swarm.startDaemon(seed, 1, List.of(tr, "--no-dht", "--no-lan"));
                swarm.startDaemon(leech, 2, List.of(tr, "--no-dht", "--no-lan"));
            }
            case DHT -> {
                seed = lab.publicHost(1);
                leech = lab.host(lab.router(false), 1);
                swarm.startDaemon(seed, 1, List.of("--dht-bootstrap", dhtNode(1), "--no-lan"));
                swarm.startDaemon(leech, 2, List.of("--dht-bootstrap", dhtNode(1), "--no-lan"));
            }
            case DHT8 -> {
                List<String> hosts = swarm.startDhtChain(8);
                seed = hosts.get(0);
                leech = hosts.get(7);
                leechIndex = 8;
            }
            default -> {
                int router = lab.router(false);
                seed = lab.host(router, 1);
                leech = lab.host(router, 2);
                swarm.startDaemon(seed, 1, List.of("--no-dht"));
                swarm.startDaemon(leech, 2, List.of("--no-dht"));
            }
        }
        Path file = swarm.randomFile("bench.bin", sizeMib * MIB);
        NatLab.Result registered = swarm.peerit(seed, 120, "register", file.toString(), "1");
        if (registered.exit() != 0) {
            throw new IOException("register failed: " + registered.output());
        }
        Path into = Files.createDirectories(swarm.work().resolve("into"));
        long start = System.nanoTime();
        Process download = swarm.peeritAsync(leech, "download", "download", "bench.bin.p2p", String.valueOf(leechIndex),
                "--dir", into.toString());
        long firstChunk = -1;
        while (true) {
            JsonNode share = swarm.firstShare(leechIndex);
            if (firstChunk < 0 && share != null && share.path("verifiedBytes").asLong() > 0) {
                firstChunk = System.nanoTime() - start;
            }
            if (share != null && share.path("state").asText().equalsIgnoreCase("seeding")) {
                break;
            }
            if (!download.isAlive() && download.exitValue() != 0) {
                throw new IOException("download failed: " + swarm.log("download"));
            }
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(180)) {
                throw new IOException("no verified file after 180 s");
            }
            Thread.sleep(10);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "RESULT bench=discovery tool=peerit source=%s size_mib=%d ttfb_ms=%d wall_s=%.2f%n",
                source.name().toLowerCase(Locale.ROOT), sizeMib, firstChunk / 1_000_000, wall);
    }

    /** aria2 in the same shape: its DHT (2 nodes: the seed is the leecher's entry point) or its local peer discovery. */
    private static void aria2(Source source, NatLab lab, LabSwarm swarm, long sizeMib) throws Exception {
        String seed;
        String leech;
        boolean lan = source == Source.LAN;
        if (lan) {
            int router = lab.router(false);
            seed = lab.host(router, 1);
            leech = lab.host(router, 2);
        } else {
            seed = lab.publicHost(1);
            leech = lab.host(lab.router(false), 1);
        }
        Path work = swarm.work();
        Path file = swarm.randomFile("bench.bin", sizeMib * MIB);
        NatLab.Result made = lab.exec(seed, Map.of(), work, 60, List.of("mktorrent", "-l", "18", "-o", "bench.torrent",
                file.toString()));
        if (made.exit() != 0) {
            throw new IOException("mktorrent: " + made.output());
        }
        List<String> common = new ArrayList<>(List.of("aria2c", "--enable-dht=" + !lan, "--bt-enable-lpd=" + lan,
                "--dht-listen-port=6881", "--listen-port=6890", "--enable-peer-exchange=false", "--console-log-level=warn",
                "--summary-interval=0", "--file-allocation=none", "--bt-seed-unverified=false"));
        List<String> seeder = new ArrayList<>(common);
        seeder.addAll(List.of("--dht-file-path=" + work.resolve("seed-dht.dat"), "-V", "--seed-ratio=0.0",
                "-d", work.toString(), work.resolve("bench.torrent").toString()));
        lab.start(seed, "aria2-seed", Map.of(), work, seeder);
        Thread.sleep(1000); // the seed checks its file and starts listening
        Path into = Files.createDirectories(work.resolve("into"));
        List<String> leecher = new ArrayList<>(common);
        leecher.addAll(List.of("--dht-file-path=" + work.resolve("leech-dht.dat"), "--seed-time=0", "-d",
                into.toString(), work.resolve("bench.torrent").toString()));
        if (!lan) {
            leecher.add(1, "--dht-entry-point=" + NatLab.publicHostIp(1) + ":6881");
        }
        long start = System.nanoTime();
        NatLab.Result got = lab.exec(leech, Map.of(), work, 120, leecher);
        double wall = (System.nanoTime() - start) / 1e9;
        if (got.exit() != 0 || Files.mismatch(file, into.resolve("bench.bin")) != -1) {
            System.out.printf(Locale.ROOT, "RESULT bench=discovery tool=aria2 source=%s size_mib=%d wall_s=none"
                    + " note=no_file_after_%.0f_s%n", source.name().toLowerCase(Locale.ROOT), sizeMib, wall);
            return;
        }
        System.out.printf(Locale.ROOT, "RESULT bench=discovery tool=aria2 source=%s size_mib=%d wall_s=%.2f%n",
                source.name().toLowerCase(Locale.ROOT), sizeMib, wall);
    }

    /**
     * An 8-node DHT left idle, one swarm seeded: node 4's traffic over {@code seconds}, scaled to an hour, and the
     * resident memory of that daemon against one with no DHT.
     */
    private static void idle(NatLab lab, LabSwarm swarm, Path tmp, long seconds) throws Exception {
        List<String> hosts = swarm.startDhtChain(8);
        String plain = lab.publicHost(9);
        Process withoutDht = swarm.startDaemon(plain, 9, List.of("--no-dht", "--no-lan"));
        Path file = swarm.randomFile("idle.bin", MIB);
        swarm.peerit(hosts.get(0), 60, "register", file.toString(), "1");
        Thread.sleep(30_000); // joined, looked up, announced
        JsonNode before = daemonInfo(swarm, 4).path("dht");
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        JsonNode after = daemonInfo(swarm, 4).path("dht");
        double perHour = 3600.0 / seconds;
        long sent = after.path("sentBytes").asLong() - before.path("sentBytes").asLong();
        long received = after.path("receivedBytes").asLong() - before.path("receivedBytes").asLong();
        System.out.printf(Locale.ROOT, "RESULT bench=dht-idle nodes=8 idle_s=%d routing_table=%d sent_kib_per_hour=%.0f"
                        + " received_kib_per_hour=%.0f rss_mib_with_dht=%.1f rss_mib_without_dht=%.1f%n", seconds,
                after.path("nodes").asInt(), sent * perHour / 1024, received * perHour / 1024,
                rssMib(swarm.daemonProcess(4)), rssMib(withoutDht));
    }

    /** The resident memory of the JVM the launcher started under {@code ip netns exec} (its descendant). */
    private static double rssMib(Process launcher) throws IOException {
        long best = 0;
        List<ProcessHandle> all = new ArrayList<>(List.of(launcher.toHandle()));
        launcher.toHandle().descendants().forEach(all::add);
        for (ProcessHandle h : all) {
            Path status = Path.of("/proc", String.valueOf(h.pid()), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        best = Math.max(best, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                }
            }
        }
        return best / 1024.0;
    }

    private static JsonNode daemonInfo(LabSwarm swarm, int index) throws IOException {
        JsonNode status = swarm.status(index);
        if (status == null) {
            throw new IOException("daemon " + index + " does not answer");
        }
        return status.path("daemon");
    }
}
